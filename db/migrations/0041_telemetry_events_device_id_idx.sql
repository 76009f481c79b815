-- The ledger job finds a device's unaccounted events by its id cursor (device_key, id > last_event_id). With only the
-- (device_key, reading_ts, sequence_no) index that meant reading every event of the device on every run, growing with
-- history; this index makes it a range scan over the pending events only.
CREATE INDEX telemetry_events_device_id_idx ON telemetry_events (device_key, id);
