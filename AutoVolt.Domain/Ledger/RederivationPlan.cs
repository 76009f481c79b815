namespace AutoVolt.Domain.Ledger;

/// <summary>
/// What a re-derivation appends: a reversal (<see cref="LedgerLine.ToReversal"/>) of each row in
/// <see cref="Reversals"/> and each line of <see cref="Postings"/>, in one transaction.
/// </summary>
public sealed record RederivationPlan
{
    /// <summary>Creates a plan.</summary>
    public RederivationPlan(IReadOnlyList<LiveLedgerRow> reversals, IReadOnlyList<LedgerLine> postings)
    {
        ArgumentNullException.ThrowIfNull(reversals);
        ArgumentNullException.ThrowIfNull(postings);
        Reversals = reversals;
        Postings = postings;
    }

    /// <summary>The plan that appends nothing.</summary>
    public static RederivationPlan Nothing { get; } = new([], []);

    /// <summary>Live rows to negate, ascending by id.</summary>
    public IReadOnlyList<LiveLedgerRow> Reversals { get; }

    /// <summary>Fresh lines to append (kinds posting or reset marker), in the order derived.</summary>
    public IReadOnlyList<LedgerLine> Postings { get; }

    /// <summary>True when the plan appends nothing.</summary>
    public bool IsEmpty => Reversals.Count == 0 && Postings.Count == 0;
}
