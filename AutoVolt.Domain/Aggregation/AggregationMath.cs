using AutoVolt.Domain.Ledger;

namespace AutoVolt.Domain.Aggregation;

/// <summary>
/// Aggregates of ledger lines. Lines never span a local midnight, so a local day's total is an exact sum of
/// the lines with that <see cref="LedgerLine.LocalDate"/> (DESIGN.md section 4, invariant 2).
/// </summary>
/// <remarks>
/// Sums are signed: pass the window's postings, markers and reversals (or only its live rows) and the result is
/// the live total. Lines with energy and no cost version are counted under <see cref="EntryMarks.Unpriced"/>: their cost
/// is missing from the total, and the UI says so. Currency of a group: the single currency of its lines with non-zero cost, else of its latest line;
/// a group with non-zero costs in two currencies is an error (costs in different currencies cannot be added).
/// </remarks>
public static class AggregationMath
{
    /// <summary>Signed totals of <paramref name="lines"/>.</summary>
    public static LedgerTotals Sum(IEnumerable<LedgerLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var totals = new LedgerTotalsBuilder();
        foreach (var line in lines)
        {
            totals.Add(line);
        }
        return totals.Build();
    }

    /// <summary>Totals per (device, local date), ordered by device key (ordinal) then date.</summary>
    /// <exception cref="InvalidOperationException">A group has non-zero costs in two currencies.</exception>
    public static IReadOnlyList<DailyTotal> Daily(IEnumerable<LedgerLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return [.. lines
            .GroupBy(l => (l.DeviceKey, l.LocalDate))
            .OrderBy(g => g.Key.DeviceKey, StringComparer.Ordinal)
            .ThenBy(g => g.Key.LocalDate)
            .Select(g => new DailyTotal(g.Key.DeviceKey, g.Key.LocalDate, Latest(g).Classroom, CurrencyOf(g), Sum(g)))];
    }

    /// <summary>Totals per (device, local month), ordered by device key (ordinal) then month.</summary>
    /// <exception cref="InvalidOperationException">A group has non-zero costs in two currencies.</exception>
    public static IReadOnlyList<MonthlyTotal> Monthly(IEnumerable<LedgerLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return [.. lines
            .GroupBy(l => (l.DeviceKey, Month: l.LocalDate.ToYearMonth()))
            .OrderBy(g => g.Key.DeviceKey, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Month)
            .Select(g => new MonthlyTotal(g.Key.DeviceKey, g.Key.Month, Latest(g).Classroom, CurrencyOf(g), Sum(g)))];
    }

    private static LedgerLine Latest(IEnumerable<LedgerLine> lines) =>
        lines.OrderBy(l => l.PeriodStart).ThenBy(l => l.Classroom, StringComparer.Ordinal).Last();

    private static string CurrencyOf(IEnumerable<LedgerLine> lines)
    {
        var priced = lines.Where(l => l.Cost != 0m).Select(l => l.Currency).Distinct(StringComparer.Ordinal).ToList();
        return priced.Count switch
        {
            0 => Latest(lines).Currency,
            1 => priced[0],
            _ => throw new InvalidOperationException("Costs in different currencies cannot be added: " + string.Join(", ", priced)),
        };
    }
}
