using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Telemetry;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Telemetry;

public sealed class TelemetryReadingTests
{
    private static readonly Instant T = Instant.FromUtc(2025, 11, 5, 6, 12, 34);

    private static TelemetryReading Valid() => new()
    {
        EspName = "ESP01",
        DeviceId = "light_1",
        BoardTimestamp = T,
        Timestamp = T,
        ReceivedAt = T,
        PowerW = 40m,
    };

    [Fact]
    public void Init_ValidValues_Kept()
    {
        var reading = Valid() with { Classroom = "", Marks = EntryMarks.LateDelivery };

        Assert.Equal("ESP01/light_1", reading.DeviceKey);
        Assert.Null(reading.Classroom);
        Assert.Equal(EntryMarks.LateDelivery, reading.Marks);
    }

    [Fact]
    public void Init_OutOfBounds_ThrowsNamingProperty()
    {
        Assert.Equal("PowerW", Assert.Throws<ArgumentOutOfRangeException>(() => Valid() with { PowerW = -1m }).ParamName);
        Assert.Equal("PowerW", Assert.Throws<ArgumentOutOfRangeException>(() => Valid() with { PowerW = 100_000.01m }).ParamName);
        Assert.Equal("EnergyWhTotal", Assert.Throws<ArgumentOutOfRangeException>(() => Valid() with { EnergyWhTotal = -0.1m }).ParamName);
        Assert.Equal("UptimeSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => Valid() with { UptimeSeconds = -1 }).ParamName);
        Assert.Equal("SequenceNo", Assert.Throws<ArgumentOutOfRangeException>(() => Valid() with { SequenceNo = -1 }).ParamName);
        Assert.Equal("WifiRssi", Assert.Throws<ArgumentOutOfRangeException>(() => Valid() with { WifiRssi = 1 }).ParamName);
        Assert.Equal("EspName", Assert.Throws<ArgumentException>(() => Valid() with { EspName = "ESP 01" }).ParamName);
        Assert.Equal("DeviceId", Assert.Throws<ArgumentException>(() => Valid() with { DeviceId = "" }).ParamName);
        Assert.Equal("BootId", Assert.Throws<ArgumentException>(() => Valid() with { BootId = "a/b" }).ParamName);
        Assert.Equal("Status", Assert.Throws<ArgumentException>(() => Valid() with { Status = "Online" }).ParamName);
        Assert.Equal("Classroom", Assert.Throws<ArgumentException>(() => Valid() with { Classroom = new string('c', 65) }).ParamName);
        Assert.Equal("SwitchState", Assert.Throws<ArgumentException>(() => Valid() with
        {
            SwitchState = Enumerable.Range(0, 17).ToDictionary(i => $"s{i}", _ => true),
        }).ParamName);
    }

    [Fact]
    public void SwitchState_IsCopied_LaterChangesToSourceIgnored()
    {
        var source = new Dictionary<string, bool> { ["sw1"] = true };
        var reading = Valid() with { SwitchState = source };
        var hash = ReadingIdentity.ToHex(reading.DedupHash);

        source["sw1"] = false;

        Assert.True(reading.SwitchState!["sw1"]);
        Assert.Equal(hash, ReadingIdentity.ToHex(reading.DedupHash));
    }

    [Fact]
    public void DedupHash_WithCopyChangingPower_Recomputed()
    {
        var reading = Valid();

        Assert.NotEqual(ReadingIdentity.ToHex(reading.DedupHash), ReadingIdentity.ToHex((reading with { PowerW = 41m }).DedupHash));
        Assert.Equal(ReadingIdentity.ToHex(reading.DedupHash), ReadingIdentity.ToHex((reading with { ReceivedAt = T + Duration.FromHours(1) }).DedupHash));
    }

    [Fact]
    public void ToString_ShortInvariantDescription()
    {
        var reading = Valid() with { EnergyWhTotal = 12345.67m, SequenceNo = 7, Marks = EntryMarks.LateDelivery | EntryMarks.ClockInvalid };

        Assert.Equal("ESP01/light_1 @ 2025-11-05T06:12:34Z P=40 W E=12345.67 Wh seq=7 [clock_invalid late_delivery]", reading.ToString());
    }
}
