namespace AutoVolt.Domain.Ledger;

/// <summary>
/// Plans the append-only correction of a device's window (DESIGN.md section 3, "Append-only ledger, re-derivation").
/// </summary>
public static class WindowRederivation
{
    /// <summary>
    /// Compares the window's live rows with lines derived afresh, as multisets of content
    /// (<see cref="LedgerLine"/> value equality: row ids, revisions and creation times play no part).
    /// </summary>
    /// <remarks>
    /// Only the difference is planned: each live row with no equal fresh line is reversed, and each fresh line
    /// with no equal live row is posted (equal lines are paired one to one). So the net of the plan is exactly
    /// new − old, the live rows after it equal the fresh lines as a multiset, and an unchanged window yields
    /// <see cref="RederivationPlan.Nothing"/>.
    /// </remarks>
    /// <param name="live">The window's live rows (kinds posting or reset marker).</param>
    /// <param name="fresh">The window's lines derived afresh (<see cref="LedgerPlanner.Plan"/>).</param>
    /// <exception cref="ArgumentException">A live row or fresh line is a reversal.</exception>
    public static RederivationPlan Plan(IReadOnlyList<LiveLedgerRow> live, IReadOnlyList<LedgerLine> fresh)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(fresh);
        if (live.Any(r => r.Line.Kind == EntryKind.Reversal))
        {
            throw new ArgumentException("Live rows are postings or reset markers.", nameof(live));
        }
        if (fresh.Any(l => l.Kind == EntryKind.Reversal))
        {
            throw new ArgumentException("Fresh lines are postings or reset markers.", nameof(fresh));
        }

        var unmatched = new Dictionary<LedgerLine, Queue<int>>();
        for (int i = 0; i < fresh.Count; i++)
        {
            if (!unmatched.TryGetValue(fresh[i], out var indexes))
            {
                indexes = new Queue<int>();
                unmatched.Add(fresh[i], indexes);
            }
            indexes.Enqueue(i);
        }

        var matched = new bool[fresh.Count];
        var reversals = new List<LiveLedgerRow>();
        foreach (var row in live.OrderBy(r => r.Id))
        {
            if (unmatched.TryGetValue(row.Line, out var indexes) && indexes.Count > 0)
            {
                matched[indexes.Dequeue()] = true;
            }
            else
            {
                reversals.Add(row);
            }
        }
        var postings = fresh.Where((_, i) => !matched[i]).ToList();
        return reversals.Count == 0 && postings.Count == 0 ? RederivationPlan.Nothing : new RederivationPlan(reversals, postings);
    }
}
