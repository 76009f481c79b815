using System.Collections.Immutable;
using AutoVolt.Domain.Telemetry;
using CsCheck;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Telemetry;

public sealed class ReadingIdentityTests
{
    private static readonly Instant ReceivedAt = Instant.FromUtc(2025, 11, 5, 6, 13, 0);

    private static ImmutableArray<byte> HashOf(string json, Instant? receivedAt = null)
    {
        var result = TelemetryParser.Parse(Payloads.Utf8(json), Payloads.Board, receivedAt ?? ReceivedAt, ClockRules.Default);
        Assert.True(result.IsAccepted, result.ToString());
        return result.Value.DedupHash;
    }

    private static string Hex(ImmutableArray<byte> hash) => ReadingIdentity.ToHex(hash);

    [Fact]
    public void Compute_DesignExample_IsPinned()
    {
        // Regression anchor: the canonical form is stored as the unique key of telemetry_events.
        // Changing it makes every redelivery of an old message a "new" reading. The expected value was
        // computed independently (Python hashlib over the byte layout documented on ReadingIdentity).
        Assert.Equal("a1e01023bb2f521ba95f9a7131990db56d3a5b7aaa0442ad1a286b696ead9bb7", Hex(HashOf(Payloads.With())));
    }

    [Fact]
    public void Compute_Redelivery_SameHashWhateverTheReceiveTime()
    {
        var first = HashOf(Payloads.With(), ReceivedAt);
        var redelivered = HashOf(Payloads.With(), ReceivedAt + Duration.FromDays(3));

        Assert.Equal(Hex(first), Hex(redelivered));
    }

    [Fact]
    public void Compute_UntrustedClock_HashesBoardTimestampNotReceiveTime()
    {
        var json = Payloads.With(("timestamp", "\"1970-01-01T00:00:05Z\""));

        Assert.Equal(Hex(HashOf(json, ReceivedAt)), Hex(HashOf(json, ReceivedAt + Duration.FromMinutes(1))));
    }

    [Theory]
    [InlineData("power_w", "40.0")]
    [InlineData("power_w", "4e1")]
    [InlineData("power_w", "4.000E+1")]
    [InlineData("energy_wh_total", "12345.670")]
    [InlineData("energy_wh_total", "1234567e-2")]
    [InlineData("sequence_no", "12345.0")]
    [InlineData("uptime_seconds", "864e2")]
    [InlineData("timestamp", "\"2025-11-05T11:42:34+05:30\"")]
    [InlineData("timestamp", "\"2025-11-05T06:12:34.000Z\"")]
    [InlineData("timestamp", "\"2025-11-05T06:12:34+00:00\"")]
    [InlineData("switch_state", "{\"sw2\":false, \"sw1\":true}")]
    [InlineData("classroom", "\"CR-999\"")]       // not hashed
    [InlineData("status", "\"offline\"")]         // not hashed
    [InlineData("wifi_rssi", "-80")]              // not hashed
    [InlineData("firmware_ver", "\"v9\"")]        // not hashed
    [InlineData("switch_key", "\"sw1\"")]         // not hashed
    public void Compute_SameValueDifferentForm_SameHash(string key, string raw)
    {
        Assert.Equal(Hex(HashOf(Payloads.With())), Hex(HashOf(Payloads.With((key, raw)))));
    }

    [Theory]
    [InlineData("power_w", "40.01")]
    [InlineData("power_w", Payloads.Remove)]
    [InlineData("energy_wh_total", "12345.68")]
    [InlineData("energy_wh_total", Payloads.Remove)]
    [InlineData("sequence_no", "12346")]
    [InlineData("sequence_no", Payloads.Remove)]
    [InlineData("switch_state", "{\"sw1\":false,\"sw2\":false}")]
    [InlineData("switch_state", "{\"sw1\":true}")]
    [InlineData("switch_state", "{}")]
    [InlineData("switch_state", Payloads.Remove)]
    [InlineData("boot_id", "\"7f3a9c02\"")]
    [InlineData("boot_id", Payloads.Remove)]
    [InlineData("uptime_seconds", "86401")]
    [InlineData("device_id", "\"light_2\"")]
    [InlineData("timestamp", "\"2025-11-05T06:12:34.001Z\"")]
    [InlineData("timestamp", "\"2025-11-05T06:12:34.000000001Z\"")]
    [InlineData("timestamp", Payloads.Remove)]
    public void Compute_MeasuredValueDiffers_DifferentHash(string key, string raw)
    {
        Assert.NotEqual(Hex(HashOf(Payloads.With())), Hex(HashOf(Payloads.With((key, raw)))));
    }

    [Fact]
    public void Compute_AbsentAndZero_Differ()
    {
        var withZeroPower = HashOf("""{"esp32_name":"ESP01","device_id":"d","energy_wh_total":5,"power_w":0}""");
        var withoutPower = HashOf("""{"esp32_name":"ESP01","device_id":"d","energy_wh_total":5}""");

        Assert.NotEqual(Hex(withZeroPower), Hex(withoutPower));
    }

    [Fact]
    public void Compute_FieldBoundariesCannotShift_DifferentHash()
    {
        var t = Instant.FromUtc(2025, 1, 1, 0, 0);
        var a = ReadingIdentity.Compute("ESP0", "1light", t, null, 1m, null, null, null, null);
        var b = ReadingIdentity.Compute("ESP01", "light", t, null, 1m, null, null, null, null);

        Assert.NotEqual(Hex(a), Hex(b));
    }

    [Fact]
    public void Compute_ReadingOverload_EqualsFieldOverloadAndDedupHash()
    {
        var reading = TelemetryParser.Parse(Payloads.Utf8(Payloads.With()), Payloads.Board, ReceivedAt, ClockRules.Default).Value;

        var byFields = ReadingIdentity.Compute(reading.EspName, reading.DeviceId, reading.BoardTimestamp, reading.SequenceNo,
            reading.EnergyWhTotal, reading.PowerW, reading.SwitchState, reading.BootId, reading.UptimeSeconds);

        Assert.Equal(ReadingIdentity.Length, byFields.Length);
        Assert.Equal(Hex(byFields), Hex(ReadingIdentity.Compute(reading)));
        Assert.Equal(Hex(byFields), Hex(reading.DedupHash));
        Assert.Equal(64, Hex(byFields).Length);
    }

    // (a) identity is invariant under key order, whitespace and number/timestamp spelling of the same values
    [Fact]
    public void Compute_Property_InvariantUnderJsonForm()
    {
        Gen.Select(ReadingFields.Generator, Gen.Int, Gen.Int, Gen.Long[0, 86_400_000])
            .Sample((fields, styleA, styleB, receiveShiftMs) =>
            {
                var jsonA = fields.ToJson(styleA);
                var jsonB = fields.ToJson(styleB);
                var receivedA = fields.Timestamp;
                var receivedB = fields.Timestamp + Duration.FromMilliseconds(receiveShiftMs);
                var a = TelemetryParser.Parse(Payloads.Utf8(jsonA), "ESP01", receivedA, ClockRules.Default);
                var b = TelemetryParser.Parse(Payloads.Utf8(jsonB), "ESP01", receivedB, ClockRules.Default);
                Assert.True(a.IsAccepted, $"{a} for {jsonA}");
                Assert.True(b.IsAccepted, $"{b} for {jsonB}");
                Assert.Equal(Hex(fields.Identity()), Hex(a.Value.DedupHash));
                Assert.Equal(Hex(a.Value.DedupHash), Hex(b.Value.DedupHash));
            }, iter: 2000, threads: 1);
    }

    // (b) identity changes when any measured field changes
    [Fact]
    public void Compute_Property_ChangesWithAnyMeasuredField()
    {
        Gen.Select(ReadingFields.Generator, Gen.Int[0, 8])
            .Sample((fields, which) =>
            {
                var changed = Mutate(fields, which);
                Assert.NotEqual(fields, changed);
                Assert.NotEqual(Hex(fields.Identity()), Hex(changed.Identity()));
            }, iter: 2000, threads: 1);
    }

    private static ReadingFields Mutate(ReadingFields f, int which) => which switch
    {
        0 => f with { DeviceId = f.DeviceId + "x" },
        1 => f with { Timestamp = f.Timestamp + Duration.FromNanoseconds(1) },
        2 => f with { SequenceNo = f.SequenceNo is { } s ? (s == long.MaxValue ? 0 : s + 1) : 0 },
        3 => f with { EnergyWhTotal = f.EnergyWhTotal is { } e ? e + 0.0001m : 0m },
        4 => f with { PowerW = f.PowerW is { } p ? p + 0.0001m : 0m },
        5 => f with { Switches = FlipOrAdd(f.Switches) },
        6 => f with { BootId = f.BootId is null ? "b" : f.BootId + "x" },
        7 => f with { UptimeSeconds = f.UptimeSeconds is { } u ? u + 1 : 0 },
        _ => f with { EspName = "ESP02" },
    };

    private static IReadOnlyDictionary<string, bool> FlipOrAdd(IReadOnlyDictionary<string, bool>? switches)
    {
        if (switches is null)
        {
            return new Dictionary<string, bool>();
        }
        var copy = switches.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (copy.Count == 0)
        {
            copy["sw9"] = false;
        }
        else
        {
            var key = copy.Keys.Order(StringComparer.Ordinal).First();
            copy[key] = !copy[key];
        }
        return copy;
    }
}
