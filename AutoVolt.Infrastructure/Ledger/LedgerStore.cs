using System.Text.Json;
using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using Dapper;
using Npgsql;
using NodaTime;

namespace AutoVolt.Infrastructure.Ledger;

/// <summary>SQL of the ledger family: events to account, cursors, live rows, appends, dirty days.</summary>
public static class LedgerStore
{
    /// <summary>The registry facts accounting needs about a device.</summary>
    public sealed record DeviceInfo(string DeviceKey, string Esp32Name, string DeviceId, string Classroom, string? SwitchKey, string? PayloadSwitchKey, decimal MaxPowerW);

    public sealed record Cursor(string DeviceKey, long? LastEventId, Instant? AccountedUntil);

    internal sealed record EventRow(long Id, string DeviceKey, Instant ReadingTs, long? SequenceNo, decimal? EnergyWhTotal, decimal? PowerW,
        string? SwitchState, string? SwitchKey, long? UptimeSeconds, string? BootId, int Marks, string DeviceId);

    /// <summary>Devices with events newer than their cursor, received before <paramref name="settledBefore"/>.</summary>
    public static async Task<IReadOnlyList<string>> DevicesWithPendingAsync(NpgsqlConnection conn, Instant settledBefore, CancellationToken ct)
    {
        const string sql = """
            SELECT d.device_key FROM devices d
            LEFT JOIN ledger_cursors c ON c.device_key = d.device_key
            WHERE EXISTS (SELECT 1 FROM telemetry_events e
                          WHERE e.device_key = d.device_key AND e.id > coalesce(c.last_event_id, 0) AND e.received_at <= @settledBefore)
            ORDER BY d.device_key
            """;
        return (await conn.QueryAsync<string>(new CommandDefinition(sql, new { settledBefore }, cancellationToken: ct))).ToList();
    }

    /// <summary>Per-device transaction lock (waits for a worker already on it): no device is accounted by two workers at once, in any instance.</summary>
    public static Task<bool> TryLockDeviceAsync(NpgsqlConnection conn, string deviceKey, CancellationToken ct) =>
        conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtextextended('ledger:' || @deviceKey, 0)) IS NOT NULL", new { deviceKey }, cancellationToken: ct));

    public static Task<DeviceInfo> DeviceAsync(NpgsqlConnection conn, string deviceKey, CancellationToken ct) =>
        conn.QuerySingleAsync<DeviceInfo>(new CommandDefinition(
            "SELECT device_key, esp32_name, device_id, classroom, switch_key, payload_switch_key, max_power_w FROM devices WHERE device_key = @deviceKey",
            new { deviceKey }, cancellationToken: ct));

    public static async Task<Cursor> CursorAsync(NpgsqlConnection conn, string deviceKey, CancellationToken ct) =>
        await conn.QuerySingleOrDefaultAsync<Cursor>(new CommandDefinition(
            "SELECT device_key, last_event_id, accounted_until FROM ledger_cursors WHERE device_key = @deviceKey",
            new { deviceKey }, cancellationToken: ct)) ?? new Cursor(deviceKey, null, null);

    /// <summary>Smallest reading time and largest id among the settled events newer than the cursor.</summary>
    public static async Task<(Instant? MinReadingTs, long? MaxId)> PendingRangeAsync(NpgsqlConnection conn, string deviceKey, long? afterId, Instant settledBefore, CancellationToken ct)
    {
        var row = await conn.QuerySingleAsync<(Instant? MinTs, long? MaxId)>(new CommandDefinition(
            "SELECT min(reading_ts), max(id) FROM telemetry_events WHERE device_key = @deviceKey AND id > @afterId AND received_at <= @settledBefore",
            new { deviceKey, afterId = afterId ?? 0, settledBefore }, cancellationToken: ct));
        return row;
    }

    /// <summary>Reading time of the last event strictly before <paramref name="before"/> (the window's anchor), among events up to <paramref name="maxId"/>.</summary>
    public static Task<Instant?> AnchorAsync(NpgsqlConnection conn, string deviceKey, Instant before, long maxId, CancellationToken ct) =>
        conn.ExecuteScalarAsync<Instant?>(new CommandDefinition(
            "SELECT max(reading_ts) FROM telemetry_events WHERE device_key = @deviceKey AND reading_ts < @before AND id <= @maxId",
            new { deviceKey, before, maxId }, cancellationToken: ct));

    /// <summary>Accounting readings of a device from <paramref name="from"/> (inclusive) up to event id <paramref name="maxId"/>.</summary>
    public static async Task<IReadOnlyList<AccountingReading>> ReadingsAsync(NpgsqlConnection conn, DeviceInfo device, Instant from, long maxId, CancellationToken ct)
    {
        const string sql = """
            SELECT id, device_key, reading_ts, sequence_no, energy_wh_total, power_w, switch_state::text AS switch_state, switch_key,
                   uptime_seconds, boot_id, marks, device_id
            FROM telemetry_events
            WHERE device_key = @deviceKey AND reading_ts >= @from AND id <= @maxId
            ORDER BY reading_ts, sequence_no NULLS FIRST, id
            """;
        var rows = await conn.QueryAsync<EventRow>(new CommandDefinition(sql, new { deviceKey = device.DeviceKey, from, maxId }, cancellationToken: ct));
        return rows.Select(r => ToAccounting(r, device)).ToList();
    }

    private static AccountingReading ToAccounting(EventRow r, DeviceInfo device)
    {
        var state = r.SwitchState is null ? null : JsonSerializer.Deserialize<Dictionary<string, bool>>(r.SwitchState);
        var key = SwitchKeyResolver.Resolve(device.SwitchKey, r.SwitchKey ?? device.PayloadSwitchKey, state, device.DeviceId);
        var on = SwitchKeyResolver.SwitchOn(key, state);
        return new AccountingReading(r.Id, r.DeviceKey, r.ReadingTs, r.SequenceNo, r.EnergyWhTotal, r.PowerW, on, r.UptimeSeconds, r.BootId, (EntryMarks)r.Marks);
    }

    /// <summary>Board status events around a window, for the Offline flag.</summary>
    public static async Task<BoardStatusTimeline> StatusesAsync(NpgsqlConnection conn, string esp32Name, Instant from, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<(Instant At, string Status)>(new CommandDefinition(
            "SELECT occurred_at, status FROM board_status_events WHERE esp32_name = @esp32Name AND occurred_at >= @from ORDER BY occurred_at",
            new { esp32Name, from }, cancellationToken: ct));
        return new BoardStatusTimeline(rows.Select(r => new BoardStatusEvent(r.At, r.Status == "offline" ? BoardStatus.Offline : BoardStatus.Online)));
    }

    /// <summary>Held deltas staff accepted (review tickets), by the pair of events.</summary>
    public static async Task<IReadOnlySet<DeltaKey>> AcceptedHeldDeltasAsync(NpgsqlConnection conn, string deviceKey, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<(long From, long To)>(new CommandDefinition("""
            SELECT (details->>'from_event_id')::bigint, (details->>'to_event_id')::bigint FROM review_tickets
            WHERE kind = 'held_delta' AND status = 'accepted' AND device_key = @deviceKey
            """, new { deviceKey }, cancellationToken: ct));
        return rows.Select(r => new DeltaKey(r.From, r.To)).ToHashSet();
    }

    public static async Task<IReadOnlyList<CostVersion>> CostVersionsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<(long Id, decimal CostPerKwh, string Currency, LocalDateTime EffectiveFrom, string Scope, string? Classroom, string? DeviceKey, Instant CreatedAt)>(
            new CommandDefinition("SELECT id, cost_per_kwh, currency, effective_from, scope, classroom, device_key, created_at FROM cost_versions ORDER BY id", cancellationToken: ct));
        return rows.Select(r => new CostVersion(r.Id, r.CostPerKwh, r.Currency, r.EffectiveFrom,
            r.Scope switch { "device" => CostScope.Device, "classroom" => CostScope.Classroom, _ => CostScope.Global }, r.Classroom, r.DeviceKey, r.CreatedAt)).ToList();
    }

    /// <summary>Live rows (postings and reset markers no reversal references) of a device from <paramref name="from"/> on.</summary>
    public static async Task<IReadOnlyList<LiveLedgerRow>> LiveRowsAsync(NpgsqlConnection conn, string deviceKey, Instant from, CancellationToken ct)
    {
        const string sql = """
            SELECT l.id, l.device_key, l.classroom, l.period_start, l.period_end, l.local_date, l.energy_wh, l.held_energy_wh, l.on_time_sec,
                   l.cost, l.currency, l.rate_per_kwh, l.cost_version_id, l.method, l.confidence, l.marks, l.kind, l.from_event_id, l.to_event_id
            FROM ledger_entries l
            WHERE l.device_key = @deviceKey AND l.period_start >= @from AND l.kind <> 'reversal'
              AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.kind = 'reversal' AND r.reverses_id = l.id)
            ORDER BY l.period_start, l.id
            """;
        var rows = await conn.QueryAsync<LedgerRow>(new CommandDefinition(sql, new { deviceKey, from }, cancellationToken: ct));
        return rows.Select(r => new LiveLedgerRow(r.Id, r.ToLine())).ToList();
    }

    /// <summary>All rows (postings, reversals, markers) of one device-day, as signed lines.</summary>
    public static async Task<IReadOnlyList<LedgerLine>> DayRowsAsync(NpgsqlConnection conn, string deviceKey, LocalDate localDate, CancellationToken ct)
    {
        const string sql = """
            SELECT id, device_key, classroom, period_start, period_end, local_date, energy_wh, held_energy_wh, on_time_sec,
                   cost, currency, rate_per_kwh, cost_version_id, method, confidence, marks, kind, from_event_id, to_event_id
            FROM ledger_entries WHERE device_key = @deviceKey AND local_date = @localDate ORDER BY id
            """;
        var rows = await conn.QueryAsync<LedgerRow>(new CommandDefinition(sql, new { deviceKey, localDate }, cancellationToken: ct));
        return rows.Select(r => r.ToLine()).ToList();
    }

    /// <summary>Appends reversals and postings (one revision when anything is reversed) and marks their days dirty.</summary>
    public static async Task<int> AppendAsync(NpgsqlConnection conn, string deviceKey, RederivationPlan plan, string reason, Instant now, CancellationToken ct)
    {
        if (plan.IsEmpty)
        {
            return 0;
        }
        long? revisionId = null;
        if (plan.Reversals.Count > 0)
        {
            var all = plan.Reversals.Select(r => r.Line).Concat(plan.Postings).ToList();
            revisionId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO ledger_revisions (device_key, window_start, window_end, reason, created_at, reversed_rows, posted_rows)
                VALUES (@deviceKey, @start, @end, @reason, @now, @reversed, @posted) RETURNING id
                """, new
            {
                deviceKey,
                start = all.Min(l => l.PeriodStart),
                end = all.Max(l => l.PeriodEnd),
                reason,
                now,
                reversed = plan.Reversals.Count,
                posted = plan.Postings.Count,
            }, cancellationToken: ct));
        }
        var rows = plan.Reversals.Select(r => (Line: r.Line.ToReversal(), Reverses: (long?)r.Id))
            .Concat(plan.Postings.Select(p => (Line: p, Reverses: (long?)null)))
            .ToList();
        const string sql = """
            INSERT INTO ledger_entries (device_key, classroom, kind, period_start, period_end, local_date, energy_wh, held_energy_wh, on_time_sec,
                cost, currency, rate_per_kwh, cost_version_id, method, confidence, marks, from_event_id, to_event_id, revision_id, reverses_id, created_at)
            SELECT k, c, kind, ps, pe, ld, e, h, o, cost, cur, rate, cv, m, conf, marks, fe, te, @revisionId, rv, @now
            FROM unnest(@keys, @classrooms, @kinds, @starts, @ends, @dates, @energy, @held, @onTime, @cost, @currency, @rate, @versions,
                        @methods, @confidence, @marks, @fromIds, @toIds, @reverses)
                 AS u(k, c, kind, ps, pe, ld, e, h, o, cost, cur, rate, cv, m, conf, marks, fe, te, rv)
            """;
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            revisionId,
            now,
            keys = rows.Select(r => r.Line.DeviceKey).ToArray(),
            classrooms = rows.Select(r => r.Line.Classroom).ToArray(),
            kinds = rows.Select(r => LedgerText.Format(r.Line.Kind)).ToArray(),
            starts = rows.Select(r => r.Line.PeriodStart).ToArray(),
            ends = rows.Select(r => r.Line.PeriodEnd).ToArray(),
            dates = rows.Select(r => r.Line.LocalDate).ToArray(),
            energy = rows.Select(r => r.Line.EnergyWh).ToArray(),
            held = rows.Select(r => r.Line.HeldEnergyWh).ToArray(),
            onTime = rows.Select(r => r.Line.OnTimeSeconds).ToArray(),
            cost = rows.Select(r => r.Line.Cost).ToArray(),
            currency = rows.Select(r => r.Line.Currency).ToArray(),
            rate = rows.Select(r => r.Line.RatePerKwh).ToArray(),
            versions = rows.Select(r => r.Line.CostVersionId).ToArray(),
            methods = rows.Select(r => LedgerText.Format(r.Line.Method)).ToArray(),
            confidence = rows.Select(r => EntryMarksText.Format(r.Line.Confidence)).ToArray(),
            marks = rows.Select(r => (int)r.Line.Marks).ToArray(),
            fromIds = rows.Select(r => r.Line.FromEventId).ToArray(),
            toIds = rows.Select(r => r.Line.ToEventId).ToArray(),
            reverses = rows.Select(r => r.Reverses).ToArray(),
        }, cancellationToken: ct));
        await MarkDirtyAsync(conn, deviceKey, rows.Select(r => r.Line.LocalDate).Distinct().ToArray(), now, ct);
        return rows.Count;
    }

    public static Task MarkDirtyAsync(NpgsqlConnection conn, string deviceKey, LocalDate[] dates, Instant now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO dirty_days (device_key, local_date, marked_at) SELECT @deviceKey, d, @now FROM unnest(@dates) AS u(d)
            ON CONFLICT (device_key, local_date) DO UPDATE SET marked_at = excluded.marked_at
            """, new { deviceKey, dates, now }, cancellationToken: ct));

    public static Task SaveCursorAsync(NpgsqlConnection conn, string deviceKey, long lastEventId, Instant accountedUntil, Instant now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ledger_cursors (device_key, last_event_id, accounted_until, updated_at) VALUES (@deviceKey, @lastEventId, @accountedUntil, @now)
            ON CONFLICT (device_key) DO UPDATE SET last_event_id = greatest(ledger_cursors.last_event_id, excluded.last_event_id),
                accounted_until = greatest(ledger_cursors.accounted_until, excluded.accounted_until), updated_at = excluded.updated_at
            """, new { deviceKey, lastEventId, accountedUntil, now }, cancellationToken: ct));

    internal sealed record LedgerRow(long Id, string DeviceKey, string Classroom, Instant PeriodStart, Instant PeriodEnd, LocalDate LocalDate,
        decimal EnergyWh, decimal HeldEnergyWh, decimal OnTimeSec, decimal Cost, string Currency, decimal? RatePerKwh, long? CostVersionId,
        string Method, string Confidence, int Marks, string Kind, long? FromEventId, long? ToEventId)
    {
        public LedgerLine ToLine() => new(DeviceKey, Classroom, PeriodStart, PeriodEnd, LocalDate, EnergyWh, HeldEnergyWh, OnTimeSec, Cost, Currency,
            RatePerKwh, CostVersionId, LedgerText.ParseMethod(Method), LedgerText.ParseConfidence(Confidence), (EntryMarks)Marks, LedgerText.ParseKind(Kind),
            FromEventId, ToEventId);
    }
}
