using System.Text;
using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Telemetry;
using AutoVolt.Esp32.Core;
using NodaTime;
using BoardReading = AutoVolt.Esp32.Core.TelemetryReading;
using ServerReading = AutoVolt.Domain.Telemetry.TelemetryReading;

namespace AutoVolt.Web.Tests.Esp32;

/// <summary>
/// The contract between the firmware's payload builder and the server's parser: DESIGN.md's example payload, as
/// the firmware builds it, parses to exactly the values the board captured; an unsynced payload is dated at receipt
/// and two deliveries of it are one reading (same identity whenever they arrive).
/// </summary>
public sealed class FirmwareServerContractTests
{
    private static readonly Instant ReceivedAt = Instant.FromUtc(2025, 11, 5, 6, 12, 40);

    private static readonly BoardConfig Config = new("ESP01", "CR-101", "v2.0.0");

    private static BoardReading DesignExample(long unixMs) => new()
    {
        Channel = 0,
        DeviceId = "light_1",
        PowerMilliW = 40_000,
        EnergyMilliWh = 12_345_670,
        SwitchStates = [true, false],
        MonotonicMs = 86_400_000,
        UnixMs = unixMs,
        UptimeSeconds = 86_400,
        SequenceNo = 12_345,
        WifiRssi = -45,
        BootId = "7f3a00000000beef",
    };

    private static ServerReading Parse(string json, Instant receivedAt) =>
        TelemetryParser.Parse(Encoding.UTF8.GetBytes(json), "ESP01", receivedAt, ClockRules.Default).Value;

    [Fact]
    public void DesignExample_BuiltByFirmware_IsTheDesignPayloadAndParsesToTheCapturedValues()
    {
        var clock = new BoardClock();
        clock.Sync(1_762_323_154_000, 86_400_000); // 2025-11-05T06:12:34Z at capture
        string json = new PayloadBuilder(Config, ["sw1", "sw2"]).BuildTelemetry(DesignExample(1_762_323_154_000), clock);

        // DESIGN.md section 2, with the timestamp's milliseconds the firmware always writes.
        Assert.Equal(
            """{"esp32_name":"ESP01","classroom":"CR-101","device_id":"light_1","timestamp":"2025-11-05T06:12:34.000Z","power_w":40,"energy_wh_total":12345.67,"switch_state":{"sw1":true,"sw2":false},"uptime_seconds":86400,"status":"online","sequence_no":12345,"firmware_ver":"v2.0.0","wifi_rssi":-45,"boot_id":"7f3a00000000beef"}""",
            json);
        var reading = Parse(json, ReceivedAt);
        Assert.Equal("ESP01/light_1", reading.DeviceKey);
        Assert.Equal("CR-101", reading.Classroom);
        Assert.Equal(Instant.FromUtc(2025, 11, 5, 6, 12, 34), reading.Timestamp);
        Assert.Equal(reading.Timestamp, reading.BoardTimestamp);
        Assert.Equal(40m, reading.PowerW);
        Assert.Equal(12345.67m, reading.EnergyWhTotal);
        Assert.Equal(new Dictionary<string, bool> { ["sw1"] = true, ["sw2"] = false }, reading.SwitchState);
        Assert.Equal(86400L, reading.UptimeSeconds);
        Assert.Equal(12345L, reading.SequenceNo);
        Assert.Equal("v2.0.0", reading.FirmwareVer);
        Assert.Equal(-45, reading.WifiRssi);
        Assert.Equal("7f3a00000000beef", reading.BootId);
        Assert.Equal(EntryMarks.None, reading.Marks & EntryMarks.ClockInvalid);
    }

    [Fact]
    public void UnsyncedPayload_DeliveredTwice_DatedAtReceiptAndOneIdentity()
    {
        string json = new PayloadBuilder(Config, ["light_1", "fan_1"]).BuildTelemetry(DesignExample(-1), new BoardClock());

        var first = Parse(json, ReceivedAt);
        var again = Parse(json, ReceivedAt + Duration.FromSeconds(7));

        Assert.DoesNotContain("\"timestamp\"", json, StringComparison.Ordinal);
        Assert.Equal(ReceivedAt, first.Timestamp);
        Assert.NotEqual(EntryMarks.None, first.Marks & EntryMarks.ClockInvalid);
        Assert.Equal(ReadingIdentity.ToHex(first.DedupHash), ReadingIdentity.ToHex(again.DedupHash));
    }
}
