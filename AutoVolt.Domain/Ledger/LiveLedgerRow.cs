namespace AutoVolt.Domain.Ledger;

/// <summary>A live <c>ledger_entries</c> row (a posting or reset marker no reversal references) with its id.</summary>
/// <param name="Id">The row id, referenced by the reversal that negates it (<c>reverses_id</c>).</param>
/// <param name="Line">The row's content.</param>
public sealed record LiveLedgerRow(long Id, LedgerLine Line);
