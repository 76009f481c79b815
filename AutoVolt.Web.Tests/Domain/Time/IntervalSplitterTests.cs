using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Time;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Time;

public sealed partial class IntervalSplitterTests
{
    private static readonly SiteCalendar Kolkata = SiteCalendar.ForZoneId("Asia/Kolkata");
    private static readonly SiteCalendar NewYork = SiteCalendar.ForZoneId("America/New_York");

    internal static EnergySegment Segment(Instant start, Instant end, decimal energyWh, decimal heldWh = 0m, decimal onTime = 0m) =>
        new("ESP01/light_1", start, end, energyWh, heldWh, onTime, DeltaMethod.Cumulative, Confidence.High, EntryMarks.None, EntryKind.Posting, 1, 2);

    [Fact]
    public void Split_AcrossKolkataMidnight_SharesEnergyByTime()
    {
        // 23:30 → 01:00 IST; 90 Wh over 90 min
        var segment = Segment(Instant.FromUtc(2025, 11, 4, 18, 0), Instant.FromUtc(2025, 11, 4, 19, 30), 90m, onTime: 5400m);

        var pieces = IntervalSplitter.Split(segment, Kolkata, []);

        Assert.Equal(2, pieces.Count);
        Assert.Equal((Instant.FromUtc(2025, 11, 4, 18, 0), Instant.FromUtc(2025, 11, 4, 18, 30)), (pieces[0].Start, pieces[0].End));
        Assert.Equal(30m, pieces[0].EnergyWh);
        Assert.Equal(1800m, pieces[0].OnTimeSeconds);
        Assert.Equal(60m, pieces[1].EnergyWh);
        Assert.Equal(3600m, pieces[1].OnTimeSeconds);
    }

    [Fact]
    public void Split_ThreeEqualPieces_RoundsCumulativelyAndLastTakesRemainder()
    {
        var start = Instant.FromUtc(2025, 11, 5, 6, 0);
        var segment = Segment(start, start + Duration.FromHours(3), 10m, heldWh: 1m);

        var pieces = IntervalSplitter.Split(segment, Kolkata, [start + Duration.FromHours(1), start + Duration.FromHours(2)]);

        Assert.Equal([3.333333m, 3.333334m, 3.333333m], pieces.Select(p => p.EnergyWh));
        Assert.Equal([0.333333m, 0.333334m, 0.333333m], pieces.Select(p => p.HeldEnergyWh));
        Assert.Equal(10m, pieces.Sum(p => p.EnergyWh));
    }

    [Fact]
    public void Split_NoCutInside_ReturnsSegmentItself()
    {
        var start = Instant.FromUtc(2025, 11, 5, 6, 0);
        var segment = Segment(start, start + Duration.FromHours(1), 5m);

        // boundaries at the ends or outside are ignored; a segment ending exactly at midnight is not cut
        Assert.Same(segment, Assert.Single(IntervalSplitter.Split(segment, Kolkata, [start, start + Duration.FromHours(1), start - Duration.FromHours(5)])));
        var toMidnight = Segment(Instant.FromUtc(2025, 11, 4, 18, 0), Instant.FromUtc(2025, 11, 4, 18, 30), 1m);
        Assert.Single(IntervalSplitter.Split(toMidnight, Kolkata, []));
    }

    [Fact]
    public void Split_NewYorkSpringForwardDay_CutsAtBothLocalMidnights()
    {
        // 2025-03-08 23:00 EST → 2025-03-10 01:00 EDT = 1 h + 23 h + 1 h = 25 h, 250 Wh
        var segment = Segment(Instant.FromUtc(2025, 3, 9, 4, 0), Instant.FromUtc(2025, 3, 10, 5, 0), 250m);

        var pieces = IntervalSplitter.Split(segment, NewYork, []);

        Assert.Equal([10m, 230m, 10m], pieces.Select(p => p.EnergyWh));
        Assert.Equal(
            [new LocalDate(2025, 3, 8), new LocalDate(2025, 3, 9), new LocalDate(2025, 3, 10)],
            pieces.Select(p => NewYork.DateOf(p.Start)));
    }

    [Fact]
    public void Split_NewYorkFallBackDay_GivesTheDay25HoursOfEnergy()
    {
        // whole 2025-11-02 plus one hour either side: 1 h + 25 h + 1 h = 27 h, 270 Wh
        var segment = Segment(Instant.FromUtc(2025, 11, 2, 3, 0), Instant.FromUtc(2025, 11, 3, 6, 0), 270m);

        var pieces = IntervalSplitter.Split(segment, NewYork, []);

        Assert.Equal([10m, 250m, 10m], pieces.Select(p => p.EnergyWh));
    }
}
