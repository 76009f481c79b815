-- Aggregation reads one device-day's rows (device_key = ? AND local_date = ?). Without this index that went through
-- (device_key, period_start), i.e. the device's whole history, or (local_date, classroom), i.e. every device's rows of
-- that day; re-aggregating a recalculated month for 1,000 devices was dominated by it.
CREATE INDEX ledger_entries_device_date_idx ON ledger_entries (device_key, local_date);
