using AutoVolt.Domain.Aggregation;
using AutoVolt.Domain.Ledger;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Aggregation;

public sealed class AggregationMathTests
{
    private static LedgerLine Line(string device, LocalDate date, decimal energy, Confidence confidence, EntryMarks marks = EntryMarks.None, decimal rate = 10m, decimal held = 0m, string classroom = "CR-101")
    {
        var start = date.AtMidnight().InUtc().ToInstant() + Duration.FromHours(1);
        return new LedgerLine(device, classroom, start, start + Duration.FromMinutes(10), date, energy, held, 600m, energy * rate / 1000m, "INR", rate, 1,
            DeltaMethod.Cumulative, confidence, marks, EntryKind.Posting, 1, 2);
    }

    private static LedgerLine Unpriced(decimal energy, decimal held)
    {
        var start = Nov5.AtMidnight().InUtc().ToInstant() + Duration.FromHours(2);
        return new LedgerLine("d1", "CR-101", start, start + Duration.FromMinutes(10), Nov5, energy, held, 600m, 0m, "INR", null, null,
            DeltaMethod.Cumulative, Confidence.High, held > 0m ? EntryMarks.Held : EntryMarks.None, EntryKind.Posting, 1, 2);
    }

    private static readonly LocalDate Nov5 = new(2025, 11, 5);
    private static readonly LocalDate Nov6 = new(2025, 11, 6);
    private static readonly LocalDate Dec1 = new(2025, 12, 1);

    [Fact]
    public void Sum_LinesWithoutCostVersion_CountedAsUnpricedWhenTheyCarryEnergy()
    {
        var priced = Line("d1", Nov5, 100m, Confidence.High);
        var unpriced = Unpriced(40m, 0m);
        var heldOnly = Unpriced(0m, 500m);
        var unpriced2 = Unpriced(25m, 0m);

        var totals = AggregationMath.Sum([priced, unpriced, heldOnly, unpriced2, unpriced2.ToReversal()]);

        // Two unpriced lines with energy, one of them reversed → 1; held-only lines carry no energy to price.
        Assert.Equal(1, totals.FlagCounts[EntryMarks.Unpriced]);
        Assert.Equal(1m, totals.Cost);
        Assert.False(AggregationMath.Sum([priced]).FlagCounts.ContainsKey(EntryMarks.Unpriced));
        Assert.Equal("unpriced", EntryMarksText.Format(EntryMarks.Unpriced));
    }

    [Fact]
    public void TotalsBuilder_RowValuesAsTheAggregationJobStreamsThem_SameTotalsAsSumOfTheLines()
    {
        var b = Line("d1", Nov5, 40m, Confidence.Low, EntryMarks.Gap | EntryMarks.Estimated);
        LedgerLine[] lines = [Line("d1", Nov5, 100m, Confidence.High), b, Line("d1", Nov5, 0m, Confidence.High, EntryMarks.Held, held: 500m), b.ToReversal(),
            Line("d1", Nov5, 30m, Confidence.Medium, EntryMarks.Gap), Unpriced(25m, 0m)];
        var builder = new LedgerTotalsBuilder();
        foreach (var l in lines)
        {
            builder.Add(l.Kind, l.EnergyWh, l.HeldEnergyWh, l.OnTimeSeconds, l.Cost, l.Confidence, l.Marks, priced: l.CostVersionId is not null);
        }

        var built = builder.Build();
        var summed = AggregationMath.Sum(lines);
        Assert.Equal(summed with { FlagCounts = built.FlagCounts }, built);
        Assert.Equal(summed.FlagCounts, built.FlagCounts);
        Assert.Equal((155m, 4, 1, 1), (built.EnergyWh, built.EntryCount, built.FlagCount(EntryMarks.Unpriced), built.FlagCount(EntryMarks.Gap)));
        var empty = new LedgerTotalsBuilder().Build();
        Assert.Equal(LedgerTotals.Zero with { FlagCounts = empty.FlagCounts }, empty);
        Assert.Empty(empty.FlagCounts);
    }

    [Fact]
    public void Sum_SignedLines_CountsReversalsNegative()
    {
        var a = Line("d1", Nov5, 100m, Confidence.High);
        var b = Line("d1", Nov5, 40m, Confidence.Low, EntryMarks.Gap | EntryMarks.Estimated);
        var c = Line("d1", Nov5, 0m, Confidence.High, EntryMarks.Held, held: 500m);
        var replacement = Line("d1", Nov5, 30m, Confidence.Medium, EntryMarks.Gap);

        var totals = AggregationMath.Sum([a, b, c, b.ToReversal(), replacement]);

        Assert.Equal(130m, totals.EnergyWh);
        Assert.Equal((100m, 30m, 0m), (totals.EnergyHighWh, totals.EnergyMediumWh, totals.EnergyLowWh));
        Assert.Equal(1.3m, totals.Cost);
        Assert.Equal(500m, totals.HeldEnergyWh);
        Assert.Equal(1800m, totals.OnTimeSeconds);
        Assert.Equal(3, totals.EntryCount);
        Assert.Equal(1, totals.FlagCount(EntryMarks.Gap));
        Assert.Equal(0, totals.FlagCount(EntryMarks.Estimated));
        Assert.False(totals.FlagCounts.ContainsKey(EntryMarks.Estimated));
        Assert.Equal(1, totals.FlagCount(EntryMarks.Held));
    }

    [Fact]
    public void Daily_GroupsByDeviceAndLocalDate()
    {
        var days = AggregationMath.Daily(
        [
            Line("d2", Nov5, 5m, Confidence.High), Line("d1", Nov6, 7m, Confidence.High),
            Line("d1", Nov5, 1m, Confidence.High), Line("d1", Nov5, 2m, Confidence.Medium),
        ]);

        Assert.Equal(
            [("d1", Nov5, 3m), ("d1", Nov6, 7m), ("d2", Nov5, 5m)],
            days.Select(d => (d.DeviceKey, d.LocalDate, d.Totals.EnergyWh)));
        Assert.Equal(2, days[0].Totals.EntryCount);
        Assert.Equal("INR", days[0].Currency);
    }

    [Fact]
    public void Monthly_GroupsByLocalMonthAndEqualsSumOfDays()
    {
        var lines = new[]
        {
            Line("d1", Nov5, 1m, Confidence.High), Line("d1", Nov6, 2m, Confidence.Low), Line("d1", Dec1, 4m, Confidence.High, classroom: "CR-202"),
        };

        var months = AggregationMath.Monthly(lines);

        Assert.Equal([(new YearMonth(2025, 11), 3m), (new YearMonth(2025, 12), 4m)], months.Select(m => (m.Month, m.Totals.EnergyWh)));
        Assert.Equal("CR-202", months[1].Classroom);
        Assert.Equal(
            AggregationMath.Daily(lines).Where(d => d.LocalDate.Month == 11).Sum(d => d.Totals.Cost),
            months[0].Totals.Cost);
    }

    [Fact]
    public void Daily_TwoCurrenciesWithCost_Throws()
    {
        var inr = Line("d1", Nov5, 1m, Confidence.High);
        var usd = new LedgerLine("d1", "CR-101", inr.PeriodStart, inr.PeriodEnd, Nov5, 1m, 0m, 0m, 0.01m, "USD", 10m, 2,
            DeltaMethod.Cumulative, Confidence.High, EntryMarks.None, EntryKind.Posting, 1, 2);

        Assert.Throws<InvalidOperationException>(() => AggregationMath.Daily([inr, usd]));
    }
}
