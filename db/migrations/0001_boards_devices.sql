-- Boards (one ESP32 each) and devices (one metered load on a board).
CREATE TABLE boards (
    esp32_name        text PRIMARY KEY CHECK (esp32_name ~ '^[A-Za-z0-9_.-]{1,64}$'),
    classroom         text NOT NULL DEFAULT '',
    first_seen_at     timestamptz NOT NULL,
    last_seen_at      timestamptz NOT NULL,
    last_status       text NOT NULL DEFAULT 'unknown' CHECK (last_status IN ('online', 'offline', 'unknown')),
    last_status_at    timestamptz,
    firmware_ver      text,
    wifi_rssi         integer,
    clock_offset_ms   bigint,
    clock_offset_at   timestamptz
);

CREATE TABLE devices (
    device_key        text PRIMARY KEY,                       -- esp32_name/device_id
    esp32_name        text NOT NULL REFERENCES boards (esp32_name),
    device_id         text NOT NULL CHECK (device_id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    classroom         text NOT NULL DEFAULT '',
    display_name      text,
    load_type         text,
    switch_key        text,                                   -- set by staff; wins over the payload's switch_key
    payload_switch_key text,
    max_power_w       numeric(12, 3) NOT NULL DEFAULT 5000 CHECK (max_power_w > 0),
    rated_power_w     numeric(12, 3),
    first_seen_at     timestamptz NOT NULL,
    last_seen_at      timestamptz NOT NULL,
    UNIQUE (esp32_name, device_id),
    CHECK (device_key = esp32_name || '/' || device_id)
);
CREATE INDEX devices_classroom_idx ON devices (classroom);

-- Presence and status changes of boards (status topic, heartbeats that change liveness).
CREATE TABLE board_status_events (
    id                bigint GENERATED ALWAYS AS IDENTITY,
    esp32_name        text NOT NULL,
    status            text NOT NULL CHECK (status IN ('online', 'offline')),
    occurred_at       timestamptz NOT NULL,
    received_at       timestamptz NOT NULL,
    source            text NOT NULL,                          -- status | last_will | heartbeat_timeout
    PRIMARY KEY (id, occurred_at)
);
CREATE INDEX board_status_events_board_idx ON board_status_events (esp32_name, occurred_at);

CREATE TABLE heartbeats (
    esp32_name        text NOT NULL,
    board_ts          timestamptz,
    received_at       timestamptz NOT NULL,
    uptime_seconds    bigint,
    wifi_rssi         integer,
    offset_ms         bigint,
    PRIMARY KEY (esp32_name, received_at)
);
