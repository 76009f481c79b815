-- Versioned rates. effective_from is a local date-time in the site zone; effective_at is the
-- instant it maps to (computed by the application with the documented DST rule).
CREATE TABLE cost_versions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cost_per_kwh      numeric(12, 6) NOT NULL CHECK (cost_per_kwh >= 0),
    currency          text NOT NULL DEFAULT 'INR' CHECK (currency ~ '^[A-Z]{3}$'),
    effective_from    timestamp NOT NULL,
    effective_at      timestamptz NOT NULL,
    scope             text NOT NULL CHECK (scope IN ('global', 'classroom', 'device')),
    classroom         text,
    device_key        text,
    notes             text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    created_by        text NOT NULL DEFAULT 'system',
    CHECK ((scope = 'global' AND classroom IS NULL AND device_key IS NULL)
        OR (scope = 'classroom' AND classroom IS NOT NULL AND device_key IS NULL)
        OR (scope = 'device' AND device_key IS NOT NULL AND classroom IS NULL))
);

CREATE TRIGGER cost_versions_immutable
    BEFORE UPDATE OR DELETE ON cost_versions
    FOR EACH ROW EXECUTE FUNCTION autovolt_forbid_change();
