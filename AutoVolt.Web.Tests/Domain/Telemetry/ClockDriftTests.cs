using AutoVolt.Domain.Telemetry;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Telemetry;

public sealed class ClockDriftTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(300, false)]    // exactly 5 min ahead: tolerated
    [InlineData(-300, false)]   // exactly 5 min behind: tolerated
    [InlineData(301, true)]
    [InlineData(-301, true)]
    [InlineData(-1_762_323_154, true)] // board still in 1970
    public void Exceeds_OffsetSeconds_ComparedToFiveMinutes(long seconds, bool expected)
    {
        Assert.Equal(expected, ClockDrift.Exceeds(Duration.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData(new long[] { }, false)]
    [InlineData(new long[] { 400 }, true)]
    [InlineData(new long[] { 2, -1, 900, 0, 1 }, false)]      // one delayed heartbeat does not flag
    [InlineData(new long[] { 400, 420, 0, 410, 415 }, true)]
    [InlineData(new long[] { -600, -610, -605 }, true)]
    [InlineData(new long[] { 0, 600 }, false)]                // even count: lower middle
    public void IsDrifting_Offsets_DecidedByMedian(long[] seconds, bool expected)
    {
        Assert.Equal(expected, ClockDrift.IsDrifting(seconds.Select(Duration.FromSeconds)));
    }

    [Fact]
    public void Median_OddCount_MiddleValue()
    {
        Assert.Equal(Duration.FromSeconds(3), ClockDrift.Median([Duration.FromSeconds(9), Duration.FromSeconds(1), Duration.FromSeconds(3)]));
        Assert.Null(ClockDrift.Median([]));
    }

    [Fact]
    public void Heartbeat_ClockOffset_FeedsDrift()
    {
        var received = Instant.FromUtc(2025, 11, 5, 6, 15, 0);
        var result = HeartbeatParser.Parse(Payloads.Utf8("""{"timestamp":"2025-11-05T06:25:00Z"}"""), "ESP01", received);

        Assert.True(ClockDrift.Exceeds(result.Value.ClockOffset!.Value));
    }
}
