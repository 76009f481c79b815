CREATE TABLE app_users (
    user_name         text PRIMARY KEY CHECK (user_name ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    password_hash     text NOT NULL,
    role              text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    failed_attempts   integer NOT NULL DEFAULT 0,
    locked_until      timestamptz,
    created_at        timestamptz NOT NULL
);

CREATE TABLE api_keys (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              text NOT NULL UNIQUE,
    key_prefix        text NOT NULL,
    key_hash          bytea NOT NULL UNIQUE,                 -- SHA-256 of the key; the key itself is never stored
    role              text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    created_at        timestamptz NOT NULL,
    revoked_at        timestamptz
);
