-- Per-board MQTT credentials for the embedded broker (DESIGN.md section 7): a board authenticates
-- with username = its esp32_name and a generated secret; only a slow hash of the secret is stored.
CREATE TABLE board_credentials (
    esp32_name   text PRIMARY KEY CHECK (esp32_name ~ '^[A-Za-z0-9_.-]{1,64}$'),
    secret_hash  text NOT NULL,
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
