using System.Globalization;
using System.Text.Json;
using AutoVolt.Esp32.Core;

namespace AutoVolt.Web.Tests.Esp32;

public sealed class PayloadBuilderTests
{
    // 2025-11-05T06:12:34.500Z
    private const long Instant = 1_762_323_154_500;

    private static readonly BoardConfig Config = new("ESP01", "CR-101", "v2.1.0");

    private static TelemetryReading Reading(long unixMs) => new()
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

    private static PayloadBuilder Builder() => new(Config, ["light_1", "fan_1"]);

    [Fact]
    public void BuildTelemetry_SyncedClock_HasExactDesignShape()
    {
        var clock = new BoardClock();
        clock.Sync(Instant, 86_400_000);

        string json = Builder().BuildTelemetry(Reading(Instant), clock);

        Assert.Equal(
            """{"esp32_name":"ESP01","classroom":"CR-101","device_id":"light_1","timestamp":"2025-11-05T06:12:34.500Z","power_w":40,"energy_wh_total":12345.67,"switch_state":{"light_1":true,"fan_1":false},"uptime_seconds":86400,"status":"online","sequence_no":12345,"firmware_ver":"v2.1.0","wifi_rssi":-45,"boot_id":"7f3a00000000beef"}""",
            json);
    }

    [Fact]
    public void BuildTelemetry_Output_ParsesWithSystemTextJsonWithExpectedTypes()
    {
        var clock = new BoardClock();
        clock.Sync(Instant, 86_400_000);
        using var doc = JsonDocument.Parse(Builder().BuildTelemetry(Reading(Instant), clock));
        JsonElement root = doc.RootElement;

        string[] expectedOrder =
        [
            "esp32_name", "classroom", "device_id", "timestamp", "power_w", "energy_wh_total", "switch_state",
            "uptime_seconds", "status", "sequence_no", "firmware_ver", "wifi_rssi", "boot_id",
        ];
        Assert.Equal(expectedOrder, root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(12345.67m, root.GetProperty("energy_wh_total").GetDecimal());
        Assert.Equal(40m, root.GetProperty("power_w").GetDecimal());
        Assert.Equal(12_345L, root.GetProperty("sequence_no").GetInt64());
        Assert.True(root.GetProperty("switch_state").GetProperty("light_1").GetBoolean());
        Assert.Equal(
            new DateTimeOffset(2025, 11, 5, 6, 12, 34, 500, TimeSpan.Zero),
            DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void BuildTelemetry_UnsyncedClock_OmitsTimestamp()
    {
        string json = Builder().BuildTelemetry(Reading(-1), new BoardClock());

        using var doc = JsonDocument.Parse(json);
        Assert.False(doc.RootElement.TryGetProperty("timestamp", out _));
        Assert.Equal(12, doc.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void BuildTelemetry_CapturedUnsyncedButSentAfterSync_IsDatedAtCaptureTime()
    {
        var clock = new BoardClock();
        TelemetryReading reading = Reading(-1);          // captured at monotonic 86 400 000 ms, no time yet
        clock.Sync(Instant + 60_000, 86_400_000 + 60_000); // NTP answered a minute later

        using var doc = JsonDocument.Parse(Builder().BuildTelemetry(reading, clock));

        Assert.Equal("2025-11-05T06:12:34.500Z", doc.RootElement.GetProperty("timestamp").GetString());
    }

    [Fact]
    public void BuildTelemetry_CommaDecimalCulture_StillUsesDots()
    {
        CultureInfo previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var clock = new BoardClock();
            clock.Sync(Instant, 86_400_000);
            TelemetryReading reading = Reading(Instant);
            reading.PowerMilliW = 61_250;

            string json = Builder().BuildTelemetry(reading, clock);

            Assert.Contains("\"power_w\":61.25,", json, StringComparison.Ordinal);
            Assert.Contains("\"energy_wh_total\":12345.67,", json, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void BuildHeartbeat_Synced_HasDesignFieldsAndDroppedCount()
    {
        string json = Builder().BuildHeartbeat(Instant, 3_600, -61, 7);

        Assert.Equal(
            """{"esp32_name":"ESP01","timestamp":"2025-11-05T06:12:34.500Z","uptime_seconds":3600,"wifi_rssi":-61,"firmware_ver":"v2.1.0","dropped_readings":7}""",
            json);
    }

    [Fact]
    public void BuildHeartbeat_Unsynced_OmitsTimestamp()
    {
        using var doc = JsonDocument.Parse(Builder().BuildHeartbeat(-1, 5, -70, 0));
        Assert.False(doc.RootElement.TryGetProperty("timestamp", out _));
    }

    [Fact]
    public void StatusPayloads_OnlineOfflineAndWill_MatchDesign()
    {
        Assert.Equal("offline", PayloadBuilder.OfflineWill);
        Assert.Equal("online", PayloadBuilder.BuildOnline(-1));
        Assert.Equal("""{"status":"online","timestamp":"2025-11-05T06:12:34.500Z"}""", PayloadBuilder.BuildOnline(Instant));
        Assert.Equal("""{"status":"offline","timestamp":"2025-11-05T06:12:34.500Z"}""", PayloadBuilder.BuildOffline(Instant));
    }

    [Fact]
    public void BoardConfig_Topics_ArePerBoard()
    {
        Assert.Equal("autovolt/ESP01/telemetry", Config.TelemetryTopic);
        Assert.Equal("autovolt/ESP01/heartbeat", Config.HeartbeatTopic);
        Assert.Equal("autovolt/ESP01/status", Config.StatusTopic);
    }

    [Theory]
    [InlineData("ESP/01")]
    [InlineData("ESP+")]
    [InlineData("#")]
    [InlineData("")]
    public void BoardConfig_NameWithTopicCharacters_IsRejected(string name)
    {
        Assert.Throws<ArgumentException>(() => new BoardConfig(name, "CR-101", "v2"));
    }

    [Fact]
    public void BoardClock_Before2020_IsNotASync()
    {
        var clock = new BoardClock();
        Assert.False(clock.Sync(1_000, 0));
        Assert.False(clock.IsSynced);
        Assert.Equal(-1, clock.ToUnixMs(5));
    }
}
