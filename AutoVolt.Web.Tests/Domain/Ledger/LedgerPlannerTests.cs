using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Ledger;

public sealed class LedgerPlannerTests
{
    private static readonly SiteCalendar Kolkata = SiteCalendar.ForZoneId("Asia/Kolkata");
    private static readonly Instant Created = Instant.FromUtc(2025, 1, 1, 0, 0);

    private static EnergySegment Segment(Instant start, Instant end, decimal energyWh, decimal heldWh = 0m) =>
        new(Readings.Device, start, end, energyWh, heldWh, 0m, DeltaMethod.Cumulative, Confidence.High, EntryMarks.None, EntryKind.Posting, 1, 2);

    [Fact]
    public void Plan_RateChangesMidInterval_SplitsAndPricesEachPiece()
    {
        var resolver = new CostVersionResolver(
        [
            new CostVersion(1, 8m, "INR", new LocalDateTime(2025, 1, 1, 0, 0), CostScope.Global, null, null, Created),
            new CostVersion(2, 10.5m, "INR", new LocalDateTime(2025, 11, 5, 12, 0), CostScope.Global, null, null, Created), // 06:30Z
        ], Kolkata.Zone);
        // 1 kWh between 06:00Z and 07:00Z
        var segment = Segment(Instant.FromUtc(2025, 11, 5, 6, 0), Instant.FromUtc(2025, 11, 5, 7, 0), 1000m);

        var lines = LedgerPlanner.Plan([segment], Kolkata, resolver, "CR-101");

        Assert.Equal(2, lines.Count);
        Assert.Equal((Instant.FromUtc(2025, 11, 5, 6, 0), Instant.FromUtc(2025, 11, 5, 6, 30)), (lines[0].PeriodStart, lines[0].PeriodEnd));
        Assert.Equal((500m, 4m, 8m, 1L), (lines[0].EnergyWh, lines[0].Cost, lines[0].RatePerKwh!.Value, lines[0].CostVersionId!.Value));
        Assert.Equal((500m, 5.25m, 10.5m, 2L), (lines[1].EnergyWh, lines[1].Cost, lines[1].RatePerKwh!.Value, lines[1].CostVersionId!.Value));
        Assert.All(lines, l => Assert.Equal(new LocalDate(2025, 11, 5), l.LocalDate));
        Assert.All(lines, l => Assert.Equal("CR-101", l.Classroom));
        Assert.Equal(9.25m, lines.Sum(l => l.Cost));
    }

    [Fact]
    public void Plan_UnpricedEnergy_HasZeroCostAndNoRate()
    {
        var resolver = new CostVersionResolver([], Kolkata.Zone);
        var segment = Segment(Instant.FromUtc(2025, 11, 5, 6, 0), Instant.FromUtc(2025, 11, 5, 7, 0), 100m);

        var line = Assert.Single(LedgerPlanner.Plan([segment], Kolkata, resolver, ""));

        Assert.Equal(0m, line.Cost);
        Assert.Null(line.RatePerKwh);
        Assert.Null(line.CostVersionId);
        Assert.Equal("INR", line.Currency);
        Assert.Equal(100m, line.EnergyWh);
    }

    [Fact]
    public void Plan_HeldEnergy_IsNotPriced()
    {
        var resolver = new CostVersionResolver([new CostVersion(1, 8m, "INR", new LocalDateTime(2025, 1, 1, 0, 0), CostScope.Global, null, null, Created)], Kolkata.Zone);
        var segment = Segment(Instant.FromUtc(2025, 11, 5, 6, 0), Instant.FromUtc(2025, 11, 5, 6, 1), 0m, heldWh: 200m);

        var line = Assert.Single(LedgerPlanner.Plan([segment], Kolkata, resolver, "CR-101"));

        Assert.Equal((0m, 200m, 0m), (line.EnergyWh, line.HeldEnergyWh, line.Cost));
    }

    [Fact]
    public void Plan_AcrossMidnightAndRate_CutsAtBoth()
    {
        var resolver = new CostVersionResolver(
        [
            new CostVersion(1, 6m, "INR", new LocalDateTime(2025, 1, 1, 0, 0), CostScope.Global, null, null, Created),
            new CostVersion(2, 7m, "INR", new LocalDateTime(2025, 11, 5, 0, 30), CostScope.Device, null, Readings.Device, Created),
        ], Kolkata.Zone);
        // 23:00 → 01:00 IST, 120 Wh
        var segment = Segment(Instant.FromUtc(2025, 11, 4, 17, 30), Instant.FromUtc(2025, 11, 4, 19, 30), 120m);

        var lines = LedgerPlanner.Plan([segment], Kolkata, resolver, "CR-101");

        Assert.Equal([60m, 30m, 30m], lines.Select(l => l.EnergyWh));
        Assert.Equal([0.36m, 0.18m, 0.21m], lines.Select(l => l.Cost));
        Assert.Equal([new LocalDate(2025, 11, 4), new LocalDate(2025, 11, 5), new LocalDate(2025, 11, 5)], lines.Select(l => l.LocalDate));
    }

    [Fact]
    public void ToReversal_NegatesQuantitiesAndCost()
    {
        var resolver = new CostVersionResolver([new CostVersion(1, 8m, "INR", new LocalDateTime(2025, 1, 1, 0, 0), CostScope.Global, null, null, Created)], Kolkata.Zone);
        var line = Assert.Single(LedgerPlanner.Plan([Segment(Instant.FromUtc(2025, 11, 5, 6, 0), Instant.FromUtc(2025, 11, 5, 7, 0), 100m)], Kolkata, resolver, "CR-101"));

        var reversal = line.ToReversal();

        Assert.Equal(EntryKind.Reversal, reversal.Kind);
        Assert.Equal((-100m, -0.8m), (reversal.EnergyWh, reversal.Cost));
        Assert.Throws<InvalidOperationException>(() => reversal.ToReversal());
    }
}
