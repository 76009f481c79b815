-- The append-only energy ledger. A row never spans a local midnight or a change of cost version.
-- Corrections append reversal rows (negated copies, reverses_id set) and fresh postings, sharing
-- a revision id and reason. A row is live when it is a posting that no reversal references.
CREATE TABLE ledger_revisions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_key        text NOT NULL,
    window_start      timestamptz NOT NULL,
    window_end        timestamptz NOT NULL,
    reason            text NOT NULL,
    created_at        timestamptz NOT NULL,
    reversed_rows     integer NOT NULL DEFAULT 0,
    posted_rows       integer NOT NULL DEFAULT 0
);

CREATE TABLE ledger_entries (
    id                bigint GENERATED ALWAYS AS IDENTITY,
    device_key        text NOT NULL,
    classroom         text NOT NULL DEFAULT '',
    kind              text NOT NULL CHECK (kind IN ('posting', 'reversal', 'reset_marker')),
    period_start      timestamptz NOT NULL,
    period_end        timestamptz NOT NULL CHECK (period_end >= period_start),
    local_date        date NOT NULL,
    energy_wh         numeric(20, 6) NOT NULL,
    held_energy_wh    numeric(20, 6) NOT NULL DEFAULT 0,      -- implausible raw value, counted as zero
    on_time_sec       numeric(14, 3) NOT NULL DEFAULT 0,
    cost              numeric NOT NULL DEFAULT 0,
    currency          text NOT NULL DEFAULT 'INR',
    rate_per_kwh      numeric(12, 6),
    cost_version_id   bigint REFERENCES cost_versions (id),
    method            text NOT NULL,
    confidence        text NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
    marks             integer NOT NULL DEFAULT 0,
    from_event_id     bigint,
    to_event_id       bigint,
    revision_id       bigint REFERENCES ledger_revisions (id),
    reverses_id       bigint,
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (id, period_start),
    CHECK (kind <> 'posting' OR energy_wh >= 0)
);
CREATE INDEX ledger_entries_device_period_idx ON ledger_entries (device_key, period_start);
CREATE INDEX ledger_entries_date_idx ON ledger_entries (local_date, classroom);
CREATE INDEX ledger_entries_reverses_idx ON ledger_entries (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_one_reversal_idx ON ledger_entries (reverses_id, period_start) WHERE kind = 'reversal';

CREATE TRIGGER ledger_entries_append_only
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION autovolt_forbid_change();

-- Per-device progress of the ledger job; events themselves are never updated.
CREATE TABLE ledger_cursors (
    device_key        text PRIMARY KEY,
    last_event_id     bigint,
    last_reading_ts   timestamptz,
    last_sequence_no  bigint,
    accounted_until   timestamptz,
    updated_at        timestamptz NOT NULL
);
