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

        // Multiset matching: for every distinct line, the first k live rows (by id) match the first k fresh lines (by
        // index), k = the smaller count; the rest of the live rows are reversed (in id order), the rest of the fresh lines
        // posted (in order). Keyed on the live rows, with a cheap period-start filter first: forward accounting has almost
        // no live rows in its window, so most fresh lines are never hashed.
        if (live.Count == 0)
        {
            return fresh.Count == 0 ? RederivationPlan.Nothing : new RederivationPlan([], [.. fresh]);
        }
        var liveByLine = new Dictionary<LedgerLine, Queue<LiveLedgerRow>>();
        var liveStarts = new HashSet<NodaTime.Instant>();
        foreach (var row in live.OrderBy(r => r.Id))
        {
            if (!liveByLine.TryGetValue(row.Line, out var rows))
            {
                rows = new Queue<LiveLedgerRow>();
                liveByLine.Add(row.Line, rows);
            }
            rows.Enqueue(row);
            liveStarts.Add(row.Line.PeriodStart);
        }
        var postings = new List<LedgerLine>();
        foreach (var line in fresh)
        {
            if (liveStarts.Contains(line.PeriodStart) && liveByLine.TryGetValue(line, out var rows) && rows.Count > 0)
            {
                rows.Dequeue();
            }
            else
            {
                postings.Add(line);
            }
        }
        var reversals = liveByLine.Values.SelectMany(q => q).OrderBy(r => r.Id).ToList();
        return reversals.Count == 0 && postings.Count == 0 ? RederivationPlan.Nothing : new RederivationPlan(reversals, postings);
    }
}
