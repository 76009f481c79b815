using System.Text;
using AutoVolt.Domain.Telemetry;
using CsCheck;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Telemetry;

// (c) the parsers never throw: any input is either accepted or rejected with a reason.
public sealed class ParserRobustnessTests
{
    private static readonly Instant ReceivedAt = Instant.FromUtc(2025, 11, 5, 6, 13, 0);

    private static readonly string[] Keys =
    [
        "esp32_name", "device_id", "classroom", "timestamp", "power_w", "energy_wh_total", "switch_state",
        "switch_key", "uptime_seconds", "status", "sequence_no", "firmware_ver", "wifi_rssi", "boot_id", "x", "", "sw\\ud800", "\\udc00",
    ];

    private static readonly Gen<string> Scalars = Gen.OneOf(
        Gen.OneOf("null", "true", "false", "0", "-0", "40", "4e1", "-1", "1.5", "1e400", "-1e-400", "1E+2", "0.0000000000000000000000000001",
            "79228162514264337593543950336", "9223372036854775808", "-9223372036854775809", "12345678901234567890.123456789012345",
            "100000.0000000000000000000001", "-127", "631152001"),
        Gen.OneOf("\"ESP01\"", "\"light_1\"", "\"online\"", "\"OFFLINE\"", "\"\"", "\"2025-11-05T06:12:34Z\"", "\"2025-11-05T06:12:34\"",
            "\"1970-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59.999999999+14:00\"", "\"-9999-01-01T00:00:00Z\"", "\"\\u0000\"", "\"\\ud800\"",
            "\"\\udc00\\ud800\"", "\"\\u00e9\"", "\"é\"", "\"sw1\"", "\"40\""),
        Gen.Char.Array[0, 30].Select(c => System.Text.Json.JsonSerializer.Serialize(new string(c))),
        Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "0"));

    private static Gen<string> Value(int depth) => depth == 0
        ? Scalars
        : Gen.Frequency(
            (5, Scalars),
            (1, Value(depth - 1).Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (2, Object(depth - 1)));

    private static Gen<string> Object(int depth) =>
        Gen.Select(Gen.OneOf(Keys), Value(depth), (k, v) => $"\"{k}\":{v}")
            .Array[0, 18]
            .Select(members => "{" + string.Join(",", members) + "}");

    private static void AssertNoThrowAndReasoned(byte[] payload)
    {
        var telemetry = TelemetryParser.Parse(payload, "ESP01", ReceivedAt, ClockRules.Default);
        Assert.True(telemetry.IsAccepted || telemetry.Rejection.Reason.Length > 0);
        if (telemetry.IsAccepted)
        {
            Assert.Equal("ESP01", telemetry.Value.EspName);
            Assert.True(telemetry.Value.PowerW is not null || telemetry.Value.EnergyWhTotal is not null);
            Assert.Equal(32, telemetry.Value.DedupHash.Length);
        }
        var heartbeat = HeartbeatParser.Parse(payload, "ESP01", ReceivedAt);
        Assert.True(heartbeat.IsAccepted || heartbeat.Rejection.Reason.Length > 0);
        var status = StatusParser.Parse(payload, "ESP01", ReceivedAt, ClockRules.Default);
        Assert.True(status.IsAccepted || status.Rejection.Reason.Length > 0);
    }

    [Fact]
    public void Parse_ArbitraryBytes_NeverThrows()
    {
        Gen.Byte.Array[0, 400].Sample(AssertNoThrowAndReasoned, iter: 5000, threads: 1);
    }

    [Fact]
    public void Parse_ArbitraryJson_NeverThrows()
    {
        Gen.Frequency((4, Object(3)), (1, Value(3)))
            .Sample(json => AssertNoThrowAndReasoned(Encoding.UTF8.GetBytes(json)), iter: 5000, threads: 1);
    }

    [Fact]
    public void Parse_ArbitraryJsonAroundValidReading_NeverThrows()
    {
        // Valid core fields plus random extra/duplicate/replaced members: exercises every field check.
        Gen.Select(Gen.OneOf(Keys), Value(2)).Array[1, 4]
            .Sample(changes =>
            {
                var json = Payloads.With([.. changes]);
                AssertNoThrowAndReasoned(Encoding.UTF8.GetBytes(json));
            }, iter: 5000, threads: 1);
    }

    [Fact]
    public void Parse_CorruptedValidPayload_NeverThrows()
    {
        var valid = Payloads.Utf8(Payloads.With());
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Array[1, 6]
            .Select(Gen.Int[0, valid.Length], (edits, cut) =>
            {
                var bytes = (byte[])valid.Clone();
                foreach (var (at, value) in edits)
                {
                    bytes[at] = value;
                }
                return bytes[..cut];
            })
            .Sample(AssertNoThrowAndReasoned, iter: 5000, threads: 1);
    }

    [Fact]
    public void TopicName_ArbitraryText_NeverThrows()
    {
        Gen.OneOf(Gen.String, Gen.Char["autovlESP01/+#teymhbrs "].Array[0, 40].Select(c => new string(c)))
            .Sample(topic =>
            {
                var result = TopicName.Parse(topic);
                Assert.True(result.IsAccepted || result.Rejection.Reason.Length > 0);
                if (result.IsAccepted)
                {
                    Assert.Equal(topic, result.Value.ToString());
                }
            }, iter: 5000, threads: 1);
    }
}
