-- Messages that could not be accepted, kept whole with the reason. Never dropped silently.
CREATE TABLE quarantined_messages (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic             text NOT NULL,
    payload           bytea NOT NULL,
    reason            text NOT NULL,
    field             text,
    received_at       timestamptz NOT NULL
);
CREATE INDEX quarantined_messages_received_idx ON quarantined_messages (received_at);
