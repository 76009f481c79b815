using System.Text.Json;
using AutoVolt.Domain.Pricing;
using Dapper;
using Npgsql;
using NodaTime;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>SQL of the legacy migration: registry rows, the device map, cost versions, synthetic readings, intervals.</summary>
public static class LegacyMigrationStore
{
    /// <summary>Rows per INSERT … SELECT FROM unnest: keeps one statement's parameter arrays to a few MB.</summary>
    private const int Batch = 5000;

    public static async Task UpsertRegistryAsync(NpgsqlConnection conn, IReadOnlyList<DeviceMapping> mappings, IReadOnlyList<LegacySession> sessions,
        Instant now, CancellationToken ct)
    {
        var firstSeen = sessions.GroupBy(s => s.Device.DeviceKey).ToDictionary(g => g.Key, g => (First: g.Min(s => s.On), Last: g.Max(s => s.Off)));
        var seen = mappings.Select(m => firstSeen.TryGetValue(m.DeviceKey, out var f) ? f : (First: now, Last: now)).ToList();
        const string boards = """
            INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at)
            SELECT b, c, min(f), max(l) FROM unnest(@boards, @classrooms, @first, @last) AS u(b, c, f, l) GROUP BY b, c
            ON CONFLICT (esp32_name) DO NOTHING
            """;
        await conn.ExecuteAsync(new CommandDefinition(boards, new
        {
            boards = mappings.Select(m => m.Esp32Name).ToArray(),
            classrooms = mappings.Select(m => m.Classroom).ToArray(),
            first = seen.Select(s => s.First).ToArray(),
            last = seen.Select(s => s.Last).ToArray(),
        }, cancellationToken: ct));
        const string devices = """
            INSERT INTO devices (device_key, esp32_name, device_id, classroom, display_name, load_type, payload_switch_key, rated_power_w, first_seen_at, last_seen_at)
            SELECT * FROM unnest(@keys, @boards, @ids, @classrooms, @names, @types, @ids, @rated, @first, @last)
            ON CONFLICT (device_key) DO NOTHING
            """;
        await conn.ExecuteAsync(new CommandDefinition(devices, new
        {
            keys = mappings.Select(m => m.DeviceKey).ToArray(),
            boards = mappings.Select(m => m.Esp32Name).ToArray(),
            ids = mappings.Select(m => m.DeviceId).ToArray(),
            classrooms = mappings.Select(m => m.Classroom).ToArray(),
            names = mappings.Select(m => m.LegacyDeviceName + " / " + m.LegacySwitchName).ToArray(),
            types = mappings.Select(m => m.SwitchType).ToArray(),
            rated = mappings.Select(m => m.PowerRatingW).ToArray(),
            first = seen.Select(s => s.First).ToArray(),
            last = seen.Select(s => s.Last).ToArray(),
        }, cancellationToken: ct));
        const string map = """
            INSERT INTO legacy_device_map (legacy_device_id, legacy_switch_id, legacy_device_name, legacy_switch_name, switch_type,
                esp32_name, device_id, device_key, classroom, mac_address, power_rating_w, mapped_at)
            SELECT *, @now FROM unnest(@devices, @switches, @deviceNames, @switchNames, @types, @boards, @ids, @keys, @classrooms, @macs, @rated)
            ON CONFLICT DO NOTHING
            """;
        await conn.ExecuteAsync(new CommandDefinition(map, new
        {
            now,
            devices = mappings.Select(m => m.LegacyDeviceId).ToArray(),
            switches = mappings.Select(m => m.LegacySwitchId).ToArray(),
            deviceNames = mappings.Select(m => m.LegacyDeviceName).ToArray(),
            switchNames = mappings.Select(m => m.LegacySwitchName).ToArray(),
            types = mappings.Select(m => m.SwitchType).ToArray(),
            boards = mappings.Select(m => m.Esp32Name).ToArray(),
            ids = mappings.Select(m => m.DeviceId).ToArray(),
            keys = mappings.Select(m => m.DeviceKey).ToArray(),
            classrooms = mappings.Select(m => m.Classroom).ToArray(),
            macs = mappings.Select(m => m.MacAddress).ToArray(),
            rated = mappings.Select(m => m.PowerRatingW).ToArray(),
        }, cancellationToken: ct));
    }

    /// <summary>Creates the global versions not already present (same effective_from and rate). Returns the number created.</summary>
    public static async Task<int> EnsureCostVersionsAsync(NpgsqlConnection conn, IReadOnlyList<PlannedRate> rates, DateTimeZone zone, string currency,
        Instant now, CancellationToken ct)
    {
        var created = 0;
        foreach (var rate in rates)
        {
            var from = rate.From.AtMidnight();
            const string sql = """
                INSERT INTO cost_versions (cost_per_kwh, currency, effective_from, effective_at, scope, notes, created_at, created_by)
                SELECT @rate, @currency, @from, @at, 'global', @notes, @now, 'migrate-legacy'
                WHERE NOT EXISTS (SELECT 1 FROM cost_versions WHERE scope = 'global' AND effective_from = @from AND cost_per_kwh = @rate AND currency = @currency)
                """;
            created += await conn.ExecuteAsync(new CommandDefinition(sql, new
            {
                rate = rate.CostPerKwh,
                currency,
                from,
                at = CostVersion.ToEffectiveInstant(from, zone),
                notes = "legacy migration: " + rate.Evidence,
                now,
            }, cancellationToken: ct));
        }
        return created;
    }

    /// <summary>Inserts the readings (source 'migrated'; received_at = reading time, so they are settled). Returns rows inserted.</summary>
    public static async Task<int> InsertReadingsAsync(NpgsqlConnection conn, IReadOnlyList<SyntheticReading> readings, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO telemetry_events (dedup_hash, device_key, esp32_name, device_id, classroom, board_ts, reading_ts, received_at,
                power_w, switch_state, marks, source, raw_payload)
            SELECT h, k, b, d, c, t, t, t, p, ss::jsonb, m, 'migrated', raw
            FROM unnest(@hash, @keys, @boards, @ids, @classrooms, @ts, @power, @state, @marks, @raw) AS u(h, k, b, d, c, t, p, ss, m, raw)
            ON CONFLICT (dedup_hash, board_ts) DO NOTHING
            """;
        var inserted = 0;
        foreach (var chunk in readings.Chunk(Batch))
        {
            inserted += await conn.ExecuteAsync(new CommandDefinition(sql, new
            {
                hash = chunk.Select(r => r.Hash.ToArray()).ToArray(),
                keys = chunk.Select(r => r.Device.DeviceKey).ToArray(),
                boards = chunk.Select(r => r.Device.Esp32Name).ToArray(),
                ids = chunk.Select(r => r.Device.DeviceId).ToArray(),
                classrooms = chunk.Select(r => r.Device.Classroom).ToArray(),
                ts = chunk.Select(r => r.Timestamp).ToArray(),
                power = chunk.Select(r => r.PowerW).ToArray(),
                state = chunk.Select(r => JsonSerializer.Serialize(new Dictionary<string, bool> { [r.Device.DeviceId] = r.On })).ToArray(),
                marks = chunk.Select(r => (int)r.Marks).ToArray(),
                raw = chunk.Select(r => r.RawPayload).ToArray(),
            }, cancellationToken: ct));
        }
        return inserted;
    }

    public static async Task InsertIntervalsAsync(NpgsqlConnection conn, IReadOnlyList<LegacySession> sessions, Instant now, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO legacy_intervals (device_key, on_at, off_at, watts, watts_source, close_rule, legacy_rows, tracker_recorded, imported_at)
            SELECT *, @now FROM unnest(@keys, @on, @off, @watts, @sources, @rules, @rows, @tracked)
            ON CONFLICT DO NOTHING
            """;
        foreach (var chunk in sessions.Chunk(Batch))
        {
            await conn.ExecuteAsync(new CommandDefinition(sql, new
            {
                now,
                keys = chunk.Select(s => s.Device.DeviceKey).ToArray(),
                on = chunk.Select(s => s.On).ToArray(),
                off = chunk.Select(s => s.Off).ToArray(),
                watts = chunk.Select(s => s.Watts).ToArray(),
                sources = chunk.Select(s => LegacySession.Text(s.Source)).ToArray(),
                rules = chunk.Select(s => LegacySession.Text(s.Close)).ToArray(),
                rows = chunk.Select(s => s.Rows).ToArray(),
                tracked = chunk.Select(s => s.TrackerRecorded).ToArray(),
            }, cancellationToken: ct));
        }
    }

    /// <summary>Dirty (not yet re-aggregated) days of the given devices, including days another worker has claimed but not committed.</summary>
    public static Task<long> DirtyDaysAsync(NpgsqlConnection conn, IReadOnlyList<string> deviceKeys, CancellationToken ct) =>
        conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM dirty_days WHERE device_key = ANY(@keys)",
            new { keys = deviceKeys.ToArray() }, cancellationToken: ct));

    /// <summary>Daily aggregates of the given devices.</summary>
    public static async Task<IReadOnlyDictionary<(string DeviceKey, LocalDate Date), (decimal Wh, decimal Cost)>> DailyAsync(NpgsqlConnection conn,
        IReadOnlyList<string> deviceKeys, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<(string DeviceKey, LocalDate LocalDate, decimal EnergyWh, decimal Cost)>(new CommandDefinition(
            "SELECT device_key, local_date, energy_wh, cost FROM daily_aggregates WHERE device_key = ANY(@keys)",
            new { keys = deviceKeys.ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => (r.DeviceKey, r.LocalDate), r => (r.EnergyWh, r.Cost));
    }
}
