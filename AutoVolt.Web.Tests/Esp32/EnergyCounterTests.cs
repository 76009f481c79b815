using AutoVolt.Esp32.Core;
using CsCheck;

namespace AutoVolt.Web.Tests.Esp32;

public sealed class EnergyCounterTests
{
    private const long Hour = 3_600_000;

    private static EnergyCounter NewCounter(INvStore store, long everyMilliWh = 10_000, long everyMs = 15 * 60_000) =>
        new(store, "e0", everyMilliWh, everyMs, 0);

    [Fact]
    public void Add_FiveWattsForTenThousandOneSecondSteps_Gives13Point888Wh()
    {
        var counter = NewCounter(new MemoryNvStore());
        for (int i = 1; i <= 10_000; i++)
        {
            counter.AddWatts(5, 1000, i * 1000L);
        }

        // 5 W x 10 000 s = 50 000 J = 13.888... Wh: 13 888 mWh and 3.2 J carried.
        Assert.Equal(13_888, counter.TotalMilliWh);
        Assert.Equal(3_200_000, counter.RemainderMicrojoules);
        Assert.Equal(50_000.0 / 3600.0, counter.TotalWh, 9);
    }

    [Fact]
    public void Add_OneMilliwattForOneSecond_IsCarriedNotLost()
    {
        var counter = NewCounter(new MemoryNvStore());
        counter.Add(1, 1000, 1000);
        Assert.Equal(0, counter.TotalMilliWh);
        Assert.Equal(1000, counter.RemainderMicrojoules);
        Assert.True(counter.TotalWh > 0);
    }

    [Fact]
    public void Add_AnyPowersAndSteps_ConservesEveryMicrojoule()
    {
        Gen.Select(Gen.Long[0, 5_000_000], Gen.Long[0, 120_000]).Array[1, 200].Sample(steps =>
        {
            var counter = NewCounter(new MemoryNvStore());
            long expected = 0;
            long now = 0;
            foreach (var (milliW, ms) in steps)
            {
                now += ms;
                counter.Add(milliW, ms, now);
                expected += milliW * ms;
            }

            Assert.Equal(expected, (counter.TotalMilliWh * EnergyCounter.MicrojoulesPerMilliWh) + counter.RemainderMicrojoules);
            Assert.InRange(counter.RemainderMicrojoules, 0, EnergyCounter.MicrojoulesPerMilliWh - 1);
        });
    }

    [Fact]
    public void Restore_AfterCleanShutdown_ContinuesWithTheExactTotal()
    {
        var store = new MemoryNvStore();
        var before = NewCounter(store);
        before.AddWatts(61.5, 7_777_777, 7_777_777);
        before.Flush(7_777_777);

        var after = NewCounter(store);

        Assert.True(after.Restored);
        Assert.Equal(before.TotalMilliWh, after.TotalMilliWh);
        Assert.Equal(before.RemainderMicrojoules, after.RemainderMicrojoules);
        after.AddWatts(40, Hour, Hour);
        Assert.Equal(before.TotalMilliWh + 40_000, after.TotalMilliWh);
    }

    [Fact]
    public void Restore_EmptyFlash_StartsAtZeroAndSaysSo()
    {
        var counter = NewCounter(new MemoryNvStore());
        Assert.False(counter.Restored);
        Assert.Equal(0, counter.TotalMilliWh);
    }

    [Fact]
    public void Restore_NewestSlotCorrupt_FallsBackToPreviousGoodValue()
    {
        var store = new MemoryNvStore();
        var counter = NewCounter(store);
        counter.AddWatts(100, Hour, Hour);
        counter.Flush(Hour);          // generation 1 -> slot a
        counter.AddWatts(100, Hour, 2 * Hour);
        counter.Flush(2 * Hour);      // generation 2 -> slot b
        store.Corrupt("e0b", 14);     // torn write of the newest slot

        var restored = NewCounter(store);

        Assert.True(restored.Restored);
        Assert.Equal(100_000, restored.TotalMilliWh);
    }

    [Fact]
    public void Persist_HundredWattsForAnHour_WritesEveryTenWhNotEveryStep()
    {
        var store = new MemoryNvStore();
        var counter = NewCounter(store, everyMilliWh: 10_000, everyMs: 15 * 60_000);
        for (long s = 1; s <= 3600; s++)
        {
            counter.AddWatts(100, 1000, s * 1000);
        }

        Assert.Equal(10, counter.FlashWrites);
        Assert.Equal(10, store.Writes);
        Assert.Equal(100_000, counter.PersistedMilliWh);
    }

    [Fact]
    public void Persist_SmallLoad_WritesOnTheTimeRuleEveryFifteenMinutes()
    {
        var store = new MemoryNvStore();
        var counter = NewCounter(store, everyMilliWh: 10_000, everyMs: 15 * 60_000);
        for (long s = 1; s <= 3600; s++)
        {
            counter.AddWatts(5, 1000, s * 1000);
        }

        Assert.Equal(4, counter.FlashWrites);
    }

    [Fact]
    public void Flush_Unchanged_DoesNotWrite()
    {
        var store = new MemoryNvStore();
        var counter = NewCounter(store);
        Assert.False(counter.Flush(1000));
        counter.Add(0, 60_000, 60_000);
        Assert.False(counter.Flush(60_000));
        Assert.Equal(0, store.Writes);
    }

    [Theory]
    [InlineData(-1, 1000)]
    [InlineData(1000, -1)]
    public void Add_NegativeInput_Throws(long milliW, long ms)
    {
        var counter = NewCounter(new MemoryNvStore());
        Assert.Throws<ArgumentOutOfRangeException>(() => counter.Add(milliW, ms, 0));
    }
}
