-- Quarter-hour aggregates (DESIGN.md section 4): per device and local day, the energy, cost and estimated (low-confidence)
-- energy of each 15-minute slot of the day, as arrays: element k + 1 is slot k, which starts k quarter-hours after the
-- day's local midnight (a 23-hour day has 92 elements, a 25-hour day 100); NULL where no ledger row touched the slot.
-- AggregationJob rewrites a device-day's row with its daily aggregate, from the same ledger rows, sharing a row that
-- crosses slots pro rata by time (TimeBuckets.AddShares); so the slots of a device-day sum exactly to its daily aggregate.
-- The timeline reads them for every bucket that is a multiple of 15 minutes: one row per device-day instead of one per
-- ledger row (1 000 rows for a day of 1 000 devices, whatever the boards' reporting interval). Derived data: never edited
-- by hand, re-derivable at any time by marking the day dirty.
CREATE TABLE quarter_hour_aggregates (
    local_date        date NOT NULL,
    device_key        text NOT NULL,
    classroom         text NOT NULL,
    energy_wh         numeric[] NOT NULL,
    cost              numeric[] NOT NULL,
    estimated_wh      numeric[] NOT NULL,
    PRIMARY KEY (local_date, device_key)
);

-- Existing device-days get their quarter-hours from the next aggregation run.
INSERT INTO dirty_days (device_key, local_date, marked_at)
SELECT device_key, local_date, now() FROM daily_aggregates
ON CONFLICT (device_key, local_date) DO NOTHING;
