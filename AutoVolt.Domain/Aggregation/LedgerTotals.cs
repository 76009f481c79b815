using AutoVolt.Domain.Ledger;

namespace AutoVolt.Domain.Aggregation;

/// <summary>
/// Signed sums over ledger lines (reversals count negative), the numbers of <c>daily_aggregates</c> and
/// <c>monthly_aggregates</c>. Units follow <see cref="Quantities"/>; sums are exact.
/// </summary>
/// <param name="EnergyWh">Counted energy in Wh.</param>
/// <param name="EnergyHighWh">Part of <paramref name="EnergyWh"/> with confidence high.</param>
/// <param name="EnergyMediumWh">Part of <paramref name="EnergyWh"/> with confidence medium.</param>
/// <param name="EnergyLowWh">Part of <paramref name="EnergyWh"/> with confidence low (estimated).</param>
/// <param name="Cost">Cost in the lines' currency.</param>
/// <param name="OnTimeSeconds">On-time in seconds.</param>
/// <param name="HeldEnergyWh">Held (not counted) energy in Wh.</param>
/// <param name="FlagCounts">Per individual mark, the signed number of lines carrying it; marks with count 0 are omitted.</param>
/// <param name="EntryCount">Signed number of lines (postings and markers +1, reversals −1): the number of live rows.</param>
public sealed record LedgerTotals(
    decimal EnergyWh,
    decimal EnergyHighWh,
    decimal EnergyMediumWh,
    decimal EnergyLowWh,
    decimal Cost,
    decimal OnTimeSeconds,
    decimal HeldEnergyWh,
    IReadOnlyDictionary<EntryMarks, int> FlagCounts,
    int EntryCount)
{
    /// <summary>Totals of no lines.</summary>
    public static LedgerTotals Zero { get; } = new(0m, 0m, 0m, 0m, 0m, 0m, 0m, new Dictionary<EntryMarks, int>(), 0);

    /// <summary>The signed count of lines carrying <paramref name="mark"/> (a single flag).</summary>
    public int FlagCount(EntryMarks mark) => FlagCounts.TryGetValue(mark, out int n) ? n : 0;
}
