-- On TimescaleDB, events and ledger become hypertables; on plain PostgreSQL nothing happens.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
        CREATE EXTENSION IF NOT EXISTS timescaledb;
        PERFORM create_hypertable('telemetry_events', 'board_ts', migrate_data => true, if_not_exists => true);
        PERFORM create_hypertable('ledger_entries', 'period_start', migrate_data => true, if_not_exists => true);
        RAISE NOTICE 'TimescaleDB present: telemetry_events and ledger_entries are hypertables';
    ELSE
        RAISE NOTICE 'TimescaleDB not available: plain PostgreSQL tables kept';
    END IF;
END $$;
