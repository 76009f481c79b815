-- Every accepted reading, immutable. The dedup hash (SHA-256 over canonical fields) makes a
-- redelivered or repeated message a no-op. The unique key includes board_ts so the table can
-- become a TimescaleDB hypertable on board_ts (a unique index must contain the partition column).
CREATE TABLE telemetry_events (
    id                bigint GENERATED ALWAYS AS IDENTITY,
    dedup_hash        bytea NOT NULL CHECK (octet_length(dedup_hash) = 32),
    device_key        text NOT NULL,
    esp32_name        text NOT NULL,
    device_id         text NOT NULL,
    classroom         text NOT NULL DEFAULT '',
    board_ts          timestamptz NOT NULL,                   -- timestamp as the board sent it (epoch when absent)
    reading_ts        timestamptz NOT NULL,                   -- accounting time: board_ts, or received_at when clock invalid
    received_at       timestamptz NOT NULL,
    power_w           numeric(14, 4),
    energy_wh_total   numeric(20, 6),
    switch_state      jsonb,
    switch_key        text,
    uptime_seconds    bigint,
    status            text,
    sequence_no       bigint,
    firmware_ver      text,
    wifi_rssi         integer,
    boot_id           text,
    marks             integer NOT NULL DEFAULT 0,             -- EntryMarks: clock_invalid, late_delivery, ...
    source            text NOT NULL DEFAULT 'mqtt',           -- mqtt | migrated | simulator
    raw_payload       bytea NOT NULL,
    PRIMARY KEY (id, board_ts),
    UNIQUE (dedup_hash, board_ts)
);
CREATE INDEX telemetry_events_device_order_idx ON telemetry_events (device_key, reading_ts, sequence_no);
CREATE INDEX telemetry_events_received_idx ON telemetry_events (received_at);

CREATE OR REPLACE FUNCTION autovolt_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER telemetry_events_immutable
    BEFORE UPDATE OR DELETE ON telemetry_events
    FOR EACH ROW EXECUTE FUNCTION autovolt_forbid_change();
