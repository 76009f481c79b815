-- A reversal row paid for two indexes on reverses_id: ledger_entries_reverses_idx (reverses_id) WHERE reverses_id IS NOT
-- NULL, and the unique ledger_entries_one_reversal_idx (reverses_id, period_start) WHERE kind = 'reversal'. Only reversals
-- carry a reverses_id, and every query that looks one up says kind = 'reversal' (the "is this row reversed?" checks of
-- reconciliation, the fleet page and the CSV export), so the unique index serves them all. A recalculation appends one
-- reversal per re-priced row.
DROP INDEX IF EXISTS ledger_entries_reverses_idx;
