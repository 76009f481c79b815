using AutoVolt.Domain.Ledger;

namespace AutoVolt.Domain.Aggregation;

/// <summary>
/// <see cref="AggregationMath.Sum"/> one ledger row at a time, from the row's values rather than a <see cref="LedgerLine"/>:
/// what the aggregation job uses while it streams a day's rows from the database. Same arithmetic, same result.
/// </summary>
public sealed class LedgerTotalsBuilder
{
    private decimal _energy, _high, _medium, _low, _cost, _onTime, _held;
    private int _count;
    private Dictionary<EntryMarks, int>? _flags;

    /// <summary>Adds one row (signed, as stored: a reversal's quantities are already negative).</summary>
    /// <param name="kind">Posting, reversal (counts −1) or reset marker.</param>
    /// <param name="energyWh">Counted energy.</param>
    /// <param name="heldEnergyWh">Held energy.</param>
    /// <param name="onTimeSeconds">On-time.</param>
    /// <param name="cost">Cost.</param>
    /// <param name="confidence">Confidence of the energy.</param>
    /// <param name="marks">Flags of the row.</param>
    /// <param name="priced">False when the row has no cost version (its energy then counts as <see cref="EntryMarks.Unpriced"/>).</param>
    public void Add(EntryKind kind, decimal energyWh, decimal heldEnergyWh, decimal onTimeSeconds, decimal cost, Confidence confidence, EntryMarks marks,
        bool priced)
    {
        int sign = kind == EntryKind.Reversal ? -1 : 1;
        _energy += energyWh;
        switch (confidence)
        {
            case Confidence.High:
                _high += energyWh;
                break;
            case Confidence.Medium:
                _medium += energyWh;
                break;
            default:
                _low += energyWh;
                break;
        }
        _cost += cost;
        _onTime += onTimeSeconds;
        _held += heldEnergyWh;
        _count += sign;
        if (marks != EntryMarks.None)
        {
            foreach (var (mark, _) in EntryMarksText.All)
            {
                if ((marks & mark) != 0)
                {
                    Flag(mark, sign);
                }
            }
        }
        if (!priced && energyWh != 0m)
        {
            Flag(EntryMarks.Unpriced, sign);
        }
    }

    /// <summary>Adds one line.</summary>
    /// <param name="line">The line.</param>
    public void Add(LedgerLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        Add(line.Kind, line.EnergyWh, line.HeldEnergyWh, line.OnTimeSeconds, line.Cost, line.Confidence, line.Marks, line.CostVersionId is not null);
    }

    /// <summary>The totals of the rows added so far (flags with a count of 0 omitted).</summary>
    public LedgerTotals Build()
    {
        var flags = _flags is null
            ? []
            : _flags.Where(f => f.Value != 0).OrderBy(f => f.Key).ToDictionary(f => f.Key, f => f.Value);
        return new LedgerTotals(_energy, _high, _medium, _low, _cost, _onTime, _held, flags, _count);
    }

    private void Flag(EntryMarks mark, int sign)
    {
        _flags ??= [];
        _flags[mark] = _flags.GetValueOrDefault(mark) + sign;
    }
}
