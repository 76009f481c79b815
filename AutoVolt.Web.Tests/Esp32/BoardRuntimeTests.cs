using System.Text.Json;
using AutoVolt.Esp32.Core;

namespace AutoVolt.Web.Tests.Esp32;

public sealed class BoardRuntimeTests
{
    private const long Start = 1_762_300_800_000; // 2025-11-05T00:00:00Z

    private static BoardRuntime Boot(MemoryNvStore store, bool synced = true, int buffer = 100, byte seed = 1)
    {
        var config = new BoardConfig("ESP01", "CR-101", "v2.1.0");
        var channels = new[]
        {
            new LoadChannel("light_1", 40, 16, new EnergyCounter(store, BoardRuntime.CounterKey(0), 10_000, 900_000, 0)),
            new LoadChannel("fan_1", 60, 17, new EnergyCounter(store, BoardRuntime.CounterKey(1), 10_000, 900_000, 0)),
        };
        var identity = new BootIdentity(store, [seed, 2, 3, 4, 5, 6, 7, 8], 100);
        var runtime = new BoardRuntime(config, channels, identity, new BoardClock(), buffer, 60_000, 30_000, 0);
        if (synced)
        {
            runtime.Clock.Sync(Start, 0);
        }

        return runtime;
    }

    private static List<JsonElement> Drain(BoardRuntime runtime)
    {
        var sent = new List<JsonElement>();
        while (runtime.PeekTelemetryPayload() is { } payload)
        {
            sent.Add(JsonDocument.Parse(payload).RootElement.Clone());
            runtime.ConfirmTelemetrySent();
        }

        return sent;
    }

    [Fact]
    public void Advance_AtBoot_ReportsEveryChannelOnceWithRelaysOff()
    {
        BoardRuntime runtime = Boot(new MemoryNvStore());
        runtime.Advance(0);

        List<JsonElement> sent = Drain(runtime);

        Assert.Equal(["light_1", "fan_1"], sent.Select(e => e.GetProperty("device_id").GetString()));
        Assert.All(sent, e => Assert.False(e.GetProperty("switch_state").GetProperty(e.GetProperty("device_id").GetString()!).GetBoolean()));
    }

    [Fact]
    public void SetSwitch_Change_ReportsImmediatelyAndOnlyOnChange()
    {
        BoardRuntime runtime = Boot(new MemoryNvStore());
        runtime.Advance(0);
        Drain(runtime);

        Assert.True(runtime.SetSwitch(0, true, 5_000));
        Assert.False(runtime.SetSwitch(0, true, 6_000));
        List<JsonElement> sent = Drain(runtime);

        JsonElement reading = Assert.Single(sent);
        Assert.Equal("light_1", reading.GetProperty("device_id").GetString());
        Assert.Equal(40m, reading.GetProperty("power_w").GetDecimal());
        Assert.True(reading.GetProperty("switch_state").GetProperty("light_1").GetBoolean());
        Assert.Equal("2025-11-05T00:00:05.000Z", reading.GetProperty("timestamp").GetString());
    }

    [Fact]
    public void Advance_OneHourWithLightOn_Reports40WhPeriodically()
    {
        BoardRuntime runtime = Boot(new MemoryNvStore(), buffer: 500);
        runtime.Advance(0);
        runtime.SetSwitch(0, true, 0);
        for (long ms = 1_000; ms <= 3_600_000; ms += 1_000)
        {
            runtime.Advance(ms);
        }

        List<JsonElement> light = Drain(runtime).Where(e => e.GetProperty("device_id").GetString() == "light_1").ToList();

        Assert.Equal(40m, light[^1].GetProperty("energy_wh_total").GetDecimal());
        Assert.Equal(62, light.Count); // boot + switch-on + 60 periodic
        Assert.Equal(0, runtime.Buffer.Dropped);
        long[] seq = light.Select(e => e.GetProperty("sequence_no").GetInt64()).ToArray();
        Assert.Equal(seq.Order(), seq);
    }

    [Fact]
    public void Reboot_Unclean_CounterNeverBelowLastReportedTotal()
    {
        var store = new MemoryNvStore();
        BoardRuntime first = Boot(store);
        first.Advance(0);
        first.SetSwitch(1, true, 0);
        first.Advance(600_000);
        first.Capture(1, 600_000);
        decimal reported = Drain(first).Last(e => e.GetProperty("device_id").GetString() == "fan_1").GetProperty("energy_wh_total").GetDecimal();
        first.Advance(650_000); // 50 s more, never flushed: lost in the power cut

        BoardRuntime second = Boot(store, seed: 9);
        second.Advance(0);
        JsonElement boot = Drain(second).Single(e => e.GetProperty("device_id").GetString() == "fan_1");

        Assert.Equal(10m, reported); // 60 W x 10 min
        Assert.True(boot.GetProperty("energy_wh_total").GetDecimal() >= reported);
        Assert.NotEqual(first.Identity.BootId, boot.GetProperty("boot_id").GetString());
        Assert.True(boot.GetProperty("sequence_no").GetInt64() >= 100);
        Assert.Equal(0, boot.GetProperty("uptime_seconds").GetInt64());
    }

    [Fact]
    public void Outbox_WhileBrokerDown_ReplaysInOrderWithOriginalTimestamps()
    {
        BoardRuntime runtime = Boot(new MemoryNvStore());
        runtime.Advance(0);
        Drain(runtime);
        runtime.SetSwitch(0, true, 10_000);   // offline from here
        runtime.SetSwitch(1, true, 20_000);
        runtime.SetSwitch(0, false, 30_000);

        List<JsonElement> replayed = Drain(runtime); // reconnected much later

        Assert.Equal(
            ["2025-11-05T00:00:10.000Z", "2025-11-05T00:00:20.000Z", "2025-11-05T00:00:30.000Z"],
            replayed.Select(e => e.GetProperty("timestamp").GetString()));
    }

    [Fact]
    public void Heartbeat_AfterBufferOverflow_ReportsDroppedReadings()
    {
        BoardRuntime runtime = Boot(new MemoryNvStore(), buffer: 3);
        runtime.Advance(0);                   // 2 readings
        runtime.SetSwitch(0, true, 1_000);    // 3
        runtime.SetSwitch(1, true, 2_000);    // 4 -> one dropped
        runtime.SetSwitch(0, false, 3_000);   // 5 -> two dropped
        runtime.TryBuildHeartbeat(0);

        string? heartbeat = runtime.TryBuildHeartbeat(30_000);

        Assert.NotNull(heartbeat);
        Assert.Equal(2, JsonDocument.Parse(heartbeat).RootElement.GetProperty("dropped_readings").GetInt64());
        Assert.Null(runtime.TryBuildHeartbeat(30_001));
    }

    [Fact]
    public void Telemetry_UnsyncedAtBoot_HasNoTimestampUntilSynced()
    {
        BoardRuntime runtime = Boot(new MemoryNvStore(), synced: false);
        runtime.Advance(0);
        JsonElement first = Drain(runtime)[0];
        runtime.Clock.Sync(Start + 40_000, 40_000);
        runtime.SetSwitch(0, true, 41_000);
        JsonElement later = Drain(runtime)[0];

        Assert.False(first.TryGetProperty("timestamp", out _));
        Assert.Equal("2025-11-05T00:00:41.000Z", later.GetProperty("timestamp").GetString());
    }

    [Fact]
    public void Channel_WithSensor_ReportsMeasuredPowerOnlyWhileOn()
    {
        var channel = new LoadChannel("ac_1", 1500, 18, new EnergyCounter(new MemoryNvStore(), "e0", 10_000, 900_000, 0));
        channel.SetMeasuredPower(1432.5);
        Assert.Equal(0, channel.PowerMilliW);
        channel.IsOn = true;
        Assert.Equal(1_432_500, channel.PowerMilliW);
        channel.SetMeasuredPower(-1);
        Assert.Equal(1_500_000, channel.PowerMilliW);
    }
}
