namespace AutoVolt.Domain.Ledger;

/// <summary>Kind of a ledger entry (column <c>ledger_entries.kind</c>).</summary>
public enum EntryKind
{
    /// <summary>Energy (and cost) counted over a period; quantities are non-negative.</summary>
    Posting = 0,
    /// <summary>A negated copy of a live posting or marker, appended by a re-derivation; quantities are non-positive.</summary>
    Reversal = 1,
    /// <summary>Zero-energy marker of a counter reset, covering the span whose energy the reset lost.</summary>
    ResetMarker = 2,
}
