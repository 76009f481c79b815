-- Progress of the ledger over board status events (DESIGN.md section 3, "Gap"): a status event that
-- arrives after the period it falls in was accounted re-derives the affected devices' windows, so the
-- Offline flag of an estimated gap is the same as if the status had arrived in time. One row.
CREATE TABLE ledger_status_cursor (
    id              integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    last_status_id  bigint NOT NULL,
    updated_at      timestamptz NOT NULL
);
INSERT INTO ledger_status_cursor (id, last_status_id, updated_at) VALUES (1, 0, now());
