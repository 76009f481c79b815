using AutoVolt.Esp32.Core;

namespace AutoVolt.Web.Tests.Esp32;

public sealed class HeartbeatScheduleTests
{
    [Fact]
    public void TryConsume_SteppedEverySecondForFiveMinutes_FiresEvery30sWithoutDrift()
    {
        var schedule = new HeartbeatSchedule(HeartbeatSchedule.DefaultIntervalMs, 0);
        var fired = new List<long>();
        for (long ms = 0; ms <= 300_000; ms += 1_000)
        {
            if (schedule.TryConsume(ms + 7)) // a little loop jitter
            {
                fired.Add(ms + 7);
            }
        }

        Assert.Equal(11, fired.Count);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => (i * 30_000L) + 7), fired);
    }

    [Fact]
    public void TryConsume_AfterLongStall_FiresOnceAndRestartsFromNow()
    {
        var schedule = new HeartbeatSchedule(30_000, 0);
        Assert.True(schedule.TryConsume(0));
        Assert.True(schedule.TryConsume(200_000));  // stalled for 200 s: one heartbeat, not seven
        Assert.False(schedule.TryConsume(200_001));
        Assert.Equal(230_000, schedule.NextDueMs);
    }

    [Fact]
    public void IsDue_BeforeFirstOccasion_IsFalse()
    {
        var schedule = new HeartbeatSchedule(30_000, 10_000);
        Assert.False(schedule.IsDue(9_999));
        Assert.True(schedule.IsDue(10_000));
    }

    [Fact]
    public void Constructor_NonPositiveInterval_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HeartbeatSchedule(0, 0));
    }
}
