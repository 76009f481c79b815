using AutoVolt.Domain.Aggregation;
using AutoVolt.Domain.Ledger;

namespace AutoVolt.Web.Tests.Domain.Ledger;

/// <summary>Contract helper: two sets of lines have the same totals (every aggregated number).</summary>
internal static class Totals
{
    public static void AssertSame(LedgerTotals expected, LedgerTotals actual)
    {
        Assert.Equal(
            (expected.EnergyWh, expected.EnergyHighWh, expected.EnergyMediumWh, expected.EnergyLowWh, expected.Cost, expected.OnTimeSeconds, expected.HeldEnergyWh, expected.EntryCount),
            (actual.EnergyWh, actual.EnergyHighWh, actual.EnergyMediumWh, actual.EnergyLowWh, actual.Cost, actual.OnTimeSeconds, actual.HeldEnergyWh, actual.EntryCount));
        Assert.Equal(expected.FlagCounts.OrderBy(f => f.Key), actual.FlagCounts.OrderBy(f => f.Key));
    }

    public static void AssertSame(IEnumerable<LedgerLine> expected, IEnumerable<LedgerLine> actual)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        AssertSame(AggregationMath.Sum(e), AggregationMath.Sum(a));
        Assert.Equal(
            AggregationMath.Daily(e).Select(d => (d.DeviceKey, d.LocalDate, d.Totals.EnergyWh, d.Totals.Cost)),
            AggregationMath.Daily(a).Select(d => (d.DeviceKey, d.LocalDate, d.Totals.EnergyWh, d.Totals.Cost)));
    }
}
