-- One index instead of two for finding a device's ledger rows. Every ledger row (one per reading) paid for both
-- ledger_entries_device_period_idx (device_key, period_start) and ledger_entries_timeline_idx (local_date, device_key)
-- INCLUDE (...). Measured on 999,000 ledger rows (server-side binary COPY, same run): 5.9 s with both, 4.4 s with the one
-- index below, 2.3 s with none.
--
-- The timeline index gains period_start as a third key column, so it also serves the one query that used the other index:
-- a device's live rows from an instant on (LedgerStore.LiveRowsAsync). That query now looks up one (local_date,
-- device_key) pair per day of its window, and period_start >= the window start is checked inside the index. Every other
-- query already looked rows up by local date (and device).
DROP INDEX IF EXISTS ledger_entries_device_period_idx;
DROP INDEX IF EXISTS ledger_entries_timeline_idx;
CREATE INDEX ledger_entries_timeline_idx ON ledger_entries (local_date, device_key, period_start)
    INCLUDE (period_end, energy_wh, cost, confidence);
