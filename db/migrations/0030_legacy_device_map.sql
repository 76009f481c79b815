-- Legacy migration (issue 9): how each switch of the old Node.js/MongoDB tracker maps to an
-- AutoVolt board/device, and the ON/OFF intervals re-derived from its ActivityLog, with the
-- wattage source used for each. Written by `migrate-legacy`; re-runs insert nothing new.
-- The old Device.deviceSecret is never stored.
CREATE TABLE legacy_device_map (
    legacy_device_id   text NOT NULL,                          -- Device._id (24 hex)
    legacy_switch_id   text NOT NULL,                          -- Device.switches[]._id (24 hex)
    legacy_device_name text NOT NULL,
    legacy_switch_name text NOT NULL,
    switch_type        text NOT NULL,
    esp32_name         text NOT NULL,
    device_id          text NOT NULL,
    device_key         text NOT NULL REFERENCES devices (device_key),
    classroom          text NOT NULL DEFAULT '',
    mac_address        text,                                   -- normalised lower-case colon form
    power_rating_w     numeric(12, 3),                         -- Device.switches[].powerRating at export time
    mapped_at          timestamptz NOT NULL,
    PRIMARY KEY (legacy_device_id, legacy_switch_id)
);
CREATE UNIQUE INDEX legacy_device_map_device_key_idx ON legacy_device_map (device_key);

CREATE TABLE legacy_intervals (
    device_key         text NOT NULL REFERENCES devices (device_key),
    on_at              timestamptz NOT NULL,
    off_at             timestamptz NOT NULL,
    watts              numeric(12, 3) NOT NULL,
    watts_source       text NOT NULL CHECK (watts_source IN ('row', 'power_rating', 'power_settings', 'type_default')),
    close_rule         text NOT NULL CHECK (close_rule IN ('off_row', 'next_event', 'end_of_day')),
    legacy_rows        integer NOT NULL,                       -- ActivityLog rows merged into this interval
    tracker_recorded   boolean NOT NULL,                       -- the old tracker wrote an OFF row with duration for it
    imported_at        timestamptz NOT NULL,
    PRIMARY KEY (device_key, on_at)
);
