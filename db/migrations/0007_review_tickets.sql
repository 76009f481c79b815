CREATE TABLE review_tickets (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind              text NOT NULL,                         -- held_delta, negative_delta, gap, energy_while_off, clock_drift, aggregate_mismatch, ...
    device_key        text,
    local_date        date,
    anomaly_key       text NOT NULL UNIQUE,                  -- one ticket per anomaly, stable across re-runs
    details           jsonb NOT NULL DEFAULT '{}',
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected', 'acknowledged', 'auto_fixed')),
    created_at        timestamptz NOT NULL,
    resolved_at       timestamptz,
    resolved_by       text,
    resolution_note   text
);
CREATE INDEX review_tickets_status_idx ON review_tickets (status, created_at);
