-- Less work per ledger row (every reading appends one; a recalculation appends two per re-priced row). Measured with
-- `dotnet run -c Release --project bench/AutoVolt.Bench -- 1000000 1000`: the append step of LedgerJob spent ~40 % of its
-- time in the per-row foreign-key checks below.
--
-- 1. Two indexes nothing needs: every query that selects ledger rows by local date, or by device and local date, is
--    served by ledger_entries_timeline_idx (local_date, device_key) INCLUDE (...) from 0045 (equality on both columns
--    works in either order), and no query filters the ledger by classroom (a classroom's rows are found through its
--    daily aggregates).
DROP INDEX IF EXISTS ledger_entries_date_idx;
DROP INDEX IF EXISTS ledger_entries_device_date_idx;

-- 2. The foreign keys to cost_versions and ledger_revisions, checked row by row by a trigger on every insert. Both parent
--    tables are append-only (rows can be neither updated nor deleted: cost_versions since 0004, ledger_revisions from
--    here), and LedgerStore takes each id from the parent table in the same transaction as the rows that carry it, so a
--    reference can only ever point at a row that exists; the reconciliation job checks it anyway (ledger_reference).
ALTER TABLE ledger_entries DROP CONSTRAINT IF EXISTS ledger_entries_cost_version_id_fkey;
ALTER TABLE ledger_entries DROP CONSTRAINT IF EXISTS ledger_entries_revision_id_fkey;
CREATE TRIGGER ledger_revisions_append_only
    BEFORE UPDATE OR DELETE ON ledger_revisions
    FOR EACH ROW EXECUTE FUNCTION autovolt_forbid_change();
