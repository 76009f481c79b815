-- Derived from live ledger rows; fully re-derivable, so these are updated in place.
CREATE TABLE daily_aggregates (
    device_key        text NOT NULL,
    local_date        date NOT NULL,
    classroom         text NOT NULL DEFAULT '',
    energy_wh         numeric(20, 6) NOT NULL,
    energy_high_wh    numeric(20, 6) NOT NULL,
    energy_medium_wh  numeric(20, 6) NOT NULL,
    energy_low_wh     numeric(20, 6) NOT NULL,
    cost              numeric NOT NULL,
    currency          text NOT NULL DEFAULT 'INR',
    on_time_sec       numeric(14, 3) NOT NULL,
    held_energy_wh    numeric(20, 6) NOT NULL DEFAULT 0,
    flag_counts       jsonb NOT NULL DEFAULT '{}',
    entry_count       integer NOT NULL,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (device_key, local_date)
);
CREATE INDEX daily_aggregates_date_idx ON daily_aggregates (local_date, classroom);

CREATE TABLE monthly_aggregates (
    device_key        text NOT NULL,
    year              integer NOT NULL,
    month             integer NOT NULL CHECK (month BETWEEN 1 AND 12),
    classroom         text NOT NULL DEFAULT '',
    energy_wh         numeric(20, 6) NOT NULL,
    energy_high_wh    numeric(20, 6) NOT NULL,
    energy_medium_wh  numeric(20, 6) NOT NULL,
    energy_low_wh     numeric(20, 6) NOT NULL,
    cost              numeric NOT NULL,
    currency          text NOT NULL DEFAULT 'INR',
    on_time_sec       numeric(14, 3) NOT NULL,
    held_energy_wh    numeric(20, 6) NOT NULL DEFAULT 0,
    flag_counts       jsonb NOT NULL DEFAULT '{}',
    entry_count       integer NOT NULL,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (device_key, year, month)
);

-- (device, local day) pairs whose aggregates must be recomputed.
CREATE TABLE dirty_days (
    device_key        text NOT NULL,
    local_date        date NOT NULL,
    marked_at         timestamptz NOT NULL,
    PRIMARY KEY (device_key, local_date)
);

CREATE TABLE job_runs (
    job               text NOT NULL,
    started_at        timestamptz NOT NULL,
    finished_at       timestamptz,
    summary           jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (job, started_at)
);
