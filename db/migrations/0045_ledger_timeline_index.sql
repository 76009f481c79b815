-- Covering index for the timeline (AnalyticsQueries.TimelineAsync): the ledger rows of a range of local dates with
-- exactly the columns the timeline reads (device_key for the classroom filter), so both of its scans are index-only
-- (the ledger is append-only, so its pages stay all-visible after autovacuum). Before: a plain index scan visited
-- ~8 700 heap pages for the 24 000 rows of one benchmark day.
CREATE INDEX IF NOT EXISTS ledger_entries_timeline_idx ON ledger_entries (local_date)
    INCLUDE (period_start, period_end, energy_wh, cost, confidence, device_key);
