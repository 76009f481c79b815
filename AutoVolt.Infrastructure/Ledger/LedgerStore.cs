using System.Text.Json;
using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using Dapper;
using Npgsql;
using NodaTime;
using NpgsqlTypes;

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

    private static AccountingReading ToAccounting(EventRow r, DeviceInfo device) =>
        ToAccounting(r, device, r.SwitchState is null ? null : JsonSerializer.Deserialize<Dictionary<string, bool>>(r.SwitchState));

    private static AccountingReading ToAccounting(EventRow r, DeviceInfo device, Dictionary<string, bool>? state)
    {
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

    /// <summary>What the aggregation job needs of one ledger row, signed as stored (see <see cref="ReadDeviceDayRowsAsync"/>).</summary>
    public readonly record struct DayRow(Instant PeriodStart, Instant PeriodEnd, decimal EnergyWh, decimal HeldEnergyWh, decimal OnTimeSeconds, decimal Cost,
        string Currency, bool Priced, Confidence Confidence, EntryMarks Marks, EntryKind Kind);

    /// <summary>
    /// Streams all rows (postings, reversals, markers) of many device-days in one query, in id order, each with the index of
    /// its device-day in <paramref name="days"/>. Only the columns aggregation adds up are read, by ordinal, with no object
    /// per row.
    /// </summary>
    /// <exception cref="FormatException">A kind or confidence this code does not know.</exception>
    public static async Task ReadDeviceDayRowsAsync(NpgsqlConnection conn, IReadOnlyList<(string DeviceKey, LocalDate Date)> days, Action<int, DayRow> row,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(row);
        const string sql = """
            SELECT d.i::int, le.period_start, le.period_end, le.energy_wh, le.held_energy_wh, le.on_time_sec, le.cost, le.currency,
                   le.cost_version_id IS NOT NULL, array_position(@confidenceNames, le.confidence), le.marks, array_position(@kindNames, le.kind)
            FROM unnest(@keys::text[], @dates::date[]) WITH ORDINALITY AS d(device_key, local_date, i)
            CROSS JOIN LATERAL (SELECT * FROM ledger_entries x WHERE x.local_date = d.local_date AND x.device_key = d.device_key) le
            ORDER BY le.id
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("keys", days.Select(d => d.DeviceKey).ToArray());
        cmd.Parameters.AddWithValue("dates", days.Select(d => d.Date).ToArray());
        AddLineNames(cmd);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            row(r.GetInt32(0) - 1, new DayRow(r.GetFieldValue<Instant>(1), r.GetFieldValue<Instant>(2), r.GetDecimal(3), r.GetDecimal(4), r.GetDecimal(5),
                r.GetDecimal(6), r.GetString(7), r.GetBoolean(8), Named(r, 9, Confidences, "confidence"), (EntryMarks)r.GetInt32(10),
                Named(r, 11, Kinds, "entry kind")));
        }
    }

    /// <summary>
    /// The columns of a <see cref="LedgerLine"/> after the device key and local date, for <see cref="ReadLine"/>, from a
    /// ledger row aliased <c>le</c>. Kind, method and confidence come back as their 1-based position in the names of
    /// <see cref="AddLineNames"/> (no string per row).
    /// </summary>
    private const string LineColumns = """
        le.classroom, le.period_start, le.period_end, le.energy_wh, le.held_energy_wh, le.on_time_sec, le.cost, le.currency,
        le.rate_per_kwh, le.cost_version_id, array_position(@methodNames, le.method), array_position(@confidenceNames, le.confidence), le.marks,
        array_position(@kindNames, le.kind), le.from_event_id, le.to_event_id
        """;

    private static readonly DeltaMethod[] Methods = Enum.GetValues<DeltaMethod>();
    private static readonly Confidence[] Confidences = Enum.GetValues<Confidence>();
    private static readonly EntryKind[] Kinds = Enum.GetValues<EntryKind>();
    private static readonly string[] MethodNames = [.. Methods.Select(LedgerText.Format)];
    private static readonly string[] ConfidenceNames = [.. Confidences.Select(EntryMarksText.Format)];
    private static readonly string[] KindNames = [.. Kinds.Select(LedgerText.Format)];

    private static void AddLineNames(NpgsqlCommand cmd)
    {
        cmd.Parameters.AddWithValue("methodNames", MethodNames);
        cmd.Parameters.AddWithValue("confidenceNames", ConfidenceNames);
        cmd.Parameters.AddWithValue("kindNames", KindNames);
    }

    /// <summary>A line from the <see cref="LineColumns"/> starting at ordinal <paramref name="o"/>.</summary>
    /// <exception cref="FormatException">A kind, method or confidence this code does not know.</exception>
    private static LedgerLine ReadLine(NpgsqlDataReader r, int o, string deviceKey, LocalDate date) =>
        new(deviceKey, r.GetString(o), r.GetFieldValue<Instant>(o + 1), r.GetFieldValue<Instant>(o + 2), date,
            r.GetDecimal(o + 3), r.GetDecimal(o + 4), r.GetDecimal(o + 5), r.GetDecimal(o + 6), r.GetString(o + 7),
            r.IsDBNull(o + 8) ? null : r.GetDecimal(o + 8), r.IsDBNull(o + 9) ? null : r.GetInt64(o + 9), Named(r, o + 10, Methods, "delta method"),
            Named(r, o + 11, Confidences, "confidence"), (EntryMarks)r.GetInt32(o + 12), Named(r, o + 13, Kinds, "entry kind"),
            r.IsDBNull(o + 14) ? null : r.GetInt64(o + 14), r.IsDBNull(o + 15) ? null : r.GetInt64(o + 15));

    /// <summary>The value whose name is at the (1-based) position read at <paramref name="ordinal"/>.</summary>
    /// <exception cref="FormatException">The stored text is none of the names (position NULL).</exception>
    private static T Named<T>(NpgsqlDataReader r, int ordinal, T[] values, string what) =>
        r.IsDBNull(ordinal) ? throw new FormatException($"Unknown {what} in ledger_entries.") : values[r.GetInt32(ordinal) - 1];

    /// <summary>Appends reversals and postings (one revision when anything is reversed) and marks their days dirty.</summary>
    public static Task<int> AppendAsync(NpgsqlConnection conn, string deviceKey, RederivationPlan plan, string reason, Instant now, CancellationToken ct) =>
        AppendAsync(conn, [new DeviceAppend(deviceKey, plan, reason)], now, ct);

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

    // ---- Batched (many devices per transaction, set-based) ----

    /// <summary>A device with settled events newer than its cursor and how many there are (to size batches).</summary>
    public sealed record PendingDevice(string DeviceKey, long Pending);

    /// <summary>
    /// What one device has to account, read after its lock is held: the cursor, the pending range (smallest reading time,
    /// largest id among settled events newer than the cursor), the window start and the newest reading time up to the
    /// largest id (the new accounted-until). The window start is the reading before the anchor (the last reading before
    /// the earliest pending one, else that one), else the anchor: exactly what the per-device job derived from (it took
    /// the anchor, then the re-derivation took the last reading before it), so results are unchanged; the extra leading
    /// segment matches its live row and appends nothing.
    /// </summary>
    public sealed record PendingWindow(string DeviceKey, Instant? AccountedUntil, Instant MinReadingTs, long MaxId, Instant From, Instant NewAccountedUntil);

    /// <summary>One device's part of a batched append: its plan and the revision reason.</summary>
    public sealed record DeviceAppend(string DeviceKey, RederivationPlan Plan, string Reason);

    /// <summary>A cursor to store: events up to <see cref="LastEventId"/> accounted, readings up to <see cref="AccountedUntil"/>.</summary>
    public sealed record CursorUpdate(string DeviceKey, long LastEventId, Instant AccountedUntil);

    /// <summary>
    /// Like <see cref="DevicesWithPendingAsync"/>, with the number of pending events per device: the first
    /// <paramref name="limit"/> such devices in device-key order after <paramref name="afterKey"/> (from the first when null).
    /// </summary>
    /// <remarks>
    /// Counting touches every pending event, so the ledger job asks for one chunk of devices at a time while it accounts the
    /// previous one.
    /// </remarks>
    public static async Task<IReadOnlyList<PendingDevice>> PendingDevicesAsync(NpgsqlConnection conn, Instant settledBefore, string? afterKey, int limit,
        CancellationToken ct)
    {
        const string sql = """
            SELECT d.device_key, p.n AS pending FROM devices d
            LEFT JOIN ledger_cursors c ON c.device_key = d.device_key
            CROSS JOIN LATERAL (SELECT count(*) AS n FROM telemetry_events e
                                WHERE e.device_key = d.device_key AND e.id > coalesce(c.last_event_id, 0) AND e.received_at <= @settledBefore) p
            WHERE p.n > 0 AND (@afterKey::text IS NULL OR d.device_key > @afterKey::text)
            ORDER BY d.device_key
            LIMIT @limit
            """;
        return (await conn.QueryAsync<PendingDevice>(new CommandDefinition(sql, new { settledBefore, afterKey, limit }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Takes the per-device transaction locks of <paramref name="deviceKeys"/> that are free, without waiting (the same
    /// locks as <see cref="TryLockDeviceAsync"/>); returns the keys locked. Never waits, so it cannot deadlock.
    /// </summary>
    public static async Task<IReadOnlyList<string>> TryLockDevicesAsync(NpgsqlConnection conn, IReadOnlyList<string> deviceKeys, CancellationToken ct)
    {
        const string sql = """
            SELECT k FROM unnest(@keys::text[]) WITH ORDINALITY AS u(k, n)
            WHERE pg_try_advisory_xact_lock(hashtextextended('ledger:' || k, 0))
            ORDER BY n
            """;
        return (await conn.QueryAsync<string>(new CommandDefinition(sql, new { keys = deviceKeys.ToArray() }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Takes the per-device transaction locks of <paramref name="sortedKeys"/> one after another in the order given,
    /// waiting for each (callers sort the keys, so two such callers cannot deadlock; the ledger job's batches never wait
    /// while holding a lock).
    /// </summary>
    public static Task LockDevicesAsync(NpgsqlConnection conn, IReadOnlyList<string> sortedKeys, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtextextended('ledger:' || k, 0)) FROM unnest(@keys::text[]) AS u(k)) AS l
            """, new { keys = sortedKeys.ToArray() }, cancellationToken: ct));

    /// <summary>The pending window of each device (see <see cref="PendingWindow"/>); devices with nothing pending are left out.</summary>
    public static async Task<IReadOnlyList<PendingWindow>> PendingWindowsAsync(NpgsqlConnection conn, IReadOnlyList<string> deviceKeys, Instant settledBefore, CancellationToken ct)
    {
        const string sql = """
            SELECT w.k AS device_key, c.accounted_until, p.min_ts AS min_reading_ts, p.max_id,
                   coalesce((SELECT max(b.reading_ts) FROM telemetry_events b
                             WHERE b.device_key = w.k AND b.reading_ts < a.anchor AND b.id <= p.max_id), a.anchor) AS "from",
                   (SELECT max(u.reading_ts) FROM telemetry_events u WHERE u.device_key = w.k AND u.id <= p.max_id) AS new_accounted_until
            FROM unnest(@keys::text[]) AS w(k)
            LEFT JOIN ledger_cursors c ON c.device_key = w.k
            CROSS JOIN LATERAL (SELECT min(e.reading_ts) AS min_ts, max(e.id) AS max_id FROM telemetry_events e
                                WHERE e.device_key = w.k AND e.id > coalesce(c.last_event_id, 0) AND e.received_at <= @settledBefore) p
            CROSS JOIN LATERAL (SELECT coalesce(max(e.reading_ts), p.min_ts) AS anchor FROM telemetry_events e
                                WHERE e.device_key = w.k AND e.reading_ts < p.min_ts AND e.id <= p.max_id) a
            WHERE p.max_id IS NOT NULL
            """;
        return (await conn.QueryAsync<PendingWindow>(new CommandDefinition(sql, new { keys = deviceKeys.ToArray(), settledBefore }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Per device: the reading time of the last event before <c>at</c> + 1 ns (bound to microseconds, as the per-device
    /// query always did) among events up to <c>maxId</c>, else <c>at</c> itself (the start of a re-derivation window).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, Instant>> WindowStartsAsync(NpgsqlConnection conn, IReadOnlyList<(string DeviceKey, Instant At, long MaxId)> requests, CancellationToken ct)
    {
        const string sql = """
            SELECT w.k, (SELECT max(a.reading_ts) FROM telemetry_events a WHERE a.device_key = w.k AND a.reading_ts < w.t AND a.id <= w.m)
            FROM unnest(@keys::text[], @ats::timestamptz[], @maxIds::bigint[]) AS w(k, t, m)
            """;
        var rows = (await conn.QueryAsync<(string Key, Instant? From)>(new CommandDefinition(sql, new
        {
            keys = requests.Select(r => r.DeviceKey).ToArray(),
            ats = requests.Select(r => r.At + Duration.Epsilon).ToArray(),
            maxIds = requests.Select(r => r.MaxId).ToArray(),
        }, cancellationToken: ct))).ToDictionary(r => r.Key, r => r.From, StringComparer.Ordinal);
        return requests.ToDictionary(r => r.DeviceKey, r => rows[r.DeviceKey] ?? r.At, StringComparer.Ordinal);
    }

    /// <summary>Registry facts of the given devices, by key.</summary>
    public static async Task<IReadOnlyDictionary<string, DeviceInfo>> DevicesAsync(NpgsqlConnection conn, IReadOnlyList<string> deviceKeys, CancellationToken ct)
    {
        const string sql = """
            SELECT device_key, esp32_name, device_id, classroom, switch_key, payload_switch_key, max_power_w FROM devices WHERE device_key = ANY(@keys)
            """;
        var rows = await conn.QueryAsync<DeviceInfo>(new CommandDefinition(sql, new { keys = deviceKeys.ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => r.DeviceKey, StringComparer.Ordinal);
    }

    /// <summary>
    /// Accounting readings of many devices in one query: per device from its window start (inclusive) up to its event id
    /// (unordered: <see cref="DeviceAccounting.Derive"/> orders). Switch states are parsed once per distinct text.
    /// </summary>
    public static async Task<Dictionary<string, List<AccountingReading>>> ReadingsAsync(NpgsqlConnection conn, IReadOnlyDictionary<string, DeviceInfo> devices,
        IReadOnlyList<(string DeviceKey, Instant From, long MaxId)> windows, CancellationToken ct)
    {
        const string sql = """
            SELECT e.id, e.device_key, e.reading_ts, e.sequence_no, e.energy_wh_total, e.power_w, e.switch_state::text AS switch_state, e.switch_key,
                   e.uptime_seconds, e.boot_id, e.marks, e.device_id
            FROM unnest(@keys::text[], @froms::timestamptz[], @maxIds::bigint[]) AS w(k, f, m)
            CROSS JOIN LATERAL (SELECT * FROM telemetry_events x WHERE x.device_key = w.k AND x.reading_ts >= w.f AND x.id <= w.m
                                OFFSET 0) e -- kept a subquery: one index range per device, never a join over all events
            """;
        var rows = await conn.QueryAsync<EventRow>(new CommandDefinition(sql, new
        {
            keys = windows.Select(w => w.DeviceKey).ToArray(),
            froms = windows.Select(w => w.From).ToArray(),
            maxIds = windows.Select(w => w.MaxId).ToArray(),
        }, cancellationToken: ct));
        var result = windows.ToDictionary(w => w.DeviceKey, _ => new List<AccountingReading>(), StringComparer.Ordinal);
        var states = new Dictionary<string, Dictionary<string, bool>?>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            Dictionary<string, bool>? state = null;
            if (r.SwitchState is { } text && !states.TryGetValue(text, out state))
            {
                state = JsonSerializer.Deserialize<Dictionary<string, bool>>(text);
                states.Add(text, state);
            }
            result[r.DeviceKey].Add(ToAccounting(r, devices[r.DeviceKey], state));
        }
        return result;
    }

    /// <summary>Board status timelines (for the Offline flag) of many boards, each from its own instant on.</summary>
    public static async Task<IReadOnlyDictionary<string, BoardStatusTimeline>> StatusesAsync(NpgsqlConnection conn, IReadOnlyList<(string Esp32Name, Instant From)> boards, CancellationToken ct)
    {
        const string sql = """
            SELECT s.esp32_name, s.occurred_at, s.status
            FROM unnest(@names::text[], @froms::timestamptz[]) AS w(b, f)
            JOIN board_status_events s ON s.esp32_name = w.b AND s.occurred_at >= w.f
            ORDER BY s.esp32_name, s.occurred_at
            """;
        var rows = await conn.QueryAsync<(string Board, Instant At, string Status)>(new CommandDefinition(sql, new
        {
            names = boards.Select(b => b.Esp32Name).ToArray(),
            froms = boards.Select(b => b.From).ToArray(),
        }, cancellationToken: ct));
        var byBoard = rows.ToLookup(r => r.Board, StringComparer.Ordinal);
        return boards.ToDictionary(b => b.Esp32Name,
            b => new BoardStatusTimeline(byBoard[b.Esp32Name].Select(r => new BoardStatusEvent(r.At, r.Status == "offline" ? BoardStatus.Offline : BoardStatus.Online))),
            StringComparer.Ordinal);
    }

    /// <summary>Held deltas staff accepted, for many devices.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlySet<DeltaKey>>> AcceptedHeldDeltasAsync(NpgsqlConnection conn, IReadOnlyList<string> deviceKeys, CancellationToken ct)
    {
        const string sql = """
            SELECT device_key, (details->>'from_event_id')::bigint, (details->>'to_event_id')::bigint FROM review_tickets
            WHERE kind = 'held_delta' AND status = 'accepted' AND device_key = ANY(@keys)
            """;
        var rows = await conn.QueryAsync<(string Key, long From, long To)>(new CommandDefinition(sql, new { keys = deviceKeys.ToArray() }, cancellationToken: ct));
        var byKey = rows.ToLookup(r => r.Key, StringComparer.Ordinal);
        return deviceKeys.Distinct(StringComparer.Ordinal).ToDictionary(k => k, k => (IReadOnlySet<DeltaKey>)byKey[k].Select(r => new DeltaKey(r.From, r.To)).ToHashSet(),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// Live rows (postings and reset markers no reversal references) of many devices, each with a period start from its own
    /// instant on, before its end when given.
    /// </summary>
    /// <remarks>
    /// A reversal is a negated copy of its row (<see cref="LedgerLine.ToReversal"/>: same device and period start), so
    /// every reversal of a row in a window lies in that window: the rows of the window are read once, all kinds, and the
    /// reversed ones dropped here. (A per-row NOT EXISTS over the reversals let the planner pick a hash anti-join that
    /// scanned every reversal in the table for each batch.)
    /// <para>
    /// Rows are found through ledger_entries_timeline_idx (local_date, device_key, period_start), one lookup per day of the
    /// window. The days are bounded without the site's zone, so they hold even for rows written before a change of
    /// Site:TimeZone: a row's local date is within one day of the UTC date of its period start (offsets lie within ±14 h),
    /// and no row starts after the device's newest reading (every row is derived from its readings).
    /// </para>
    /// </remarks>
    public static async Task<Dictionary<string, List<LiveLedgerRow>>> LiveRowsAsync(NpgsqlConnection conn, IReadOnlyList<(string DeviceKey, Instant From, Instant? Until)> windows,
        CancellationToken ct)
    {
        const string sql = $"""
            SELECT w.i::int, le.id, le.local_date, le.reverses_id, {LineColumns}
            FROM unnest(@keys::text[], @froms::timestamptz[], @untils::timestamptz[]) WITH ORDINALITY AS w(k, f, u, i)
            CROSS JOIN LATERAL (SELECT (w.f AT TIME ZONE 'UTC')::date - 1 AS lo,
                                       (least(w.u, greatest(w.f, (SELECT max(t.reading_ts) FROM telemetry_events t WHERE t.device_key = w.k)))
                                            AT TIME ZONE 'UTC')::date + 1 AS hi) r
            CROSS JOIN LATERAL generate_series(0, r.hi - r.lo) AS g(n)
            CROSS JOIN LATERAL (SELECT * FROM ledger_entries x
                                WHERE x.local_date = r.lo + g.n AND x.device_key = w.k AND x.period_start >= w.f AND x.period_start < w.u
                                OFFSET 0) le -- kept a subquery: one index lookup per device-day, never a join over the whole ledger
            ORDER BY le.period_start, le.id
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("keys", windows.Select(w => w.DeviceKey).ToArray());
        cmd.Parameters.AddWithValue("froms", windows.Select(w => w.From).ToArray());
        cmd.Parameters.AddWithValue("untils", windows.Select(w => w.Until ?? Instant.MaxValue).ToArray());
        AddLineNames(cmd);
        // Read by ordinal; a reversal only contributes the id it reverses.
        var rows = new List<(int Window, long Id, LedgerLine Line)>();
        var reversed = new HashSet<long>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            const int line = 4;
            while (await reader.ReadAsync(ct))
            {
                if (Named(reader, line + 13, Kinds, "entry kind") == EntryKind.Reversal)
                {
                    if (!reader.IsDBNull(3))
                    {
                        reversed.Add(reader.GetInt64(3));
                    }
                    continue;
                }
                int w = reader.GetInt32(0) - 1;
                rows.Add((w, reader.GetInt64(1), ReadLine(reader, line, windows[w].DeviceKey, reader.GetFieldValue<LocalDate>(2))));
            }
        }
        var result = windows.ToDictionary(w => w.DeviceKey, _ => new List<LiveLedgerRow>(), StringComparer.Ordinal);
        foreach (var (w, id, l) in rows.Where(r => !reversed.Contains(r.Id)))
        {
            result[windows[w].DeviceKey].Add(new LiveLedgerRow(id, l));
        }
        return result;
    }

    /// <summary>
    /// Appends the plans of many devices: a revision per device that reverses anything, then every row with one binary
    /// COPY (per device: its reversals, then its postings, so ids keep that order), then the touched days marked dirty.
    /// </summary>
    /// <returns>Rows appended.</returns>
    public static async Task<int> AppendAsync(NpgsqlConnection conn, IReadOnlyList<DeviceAppend> appends, Instant now, CancellationToken ct)
    {
        var work = appends.Where(a => !a.Plan.IsEmpty).ToList();
        if (work.Count == 0)
        {
            return 0;
        }
        const string revisionSql = """
            INSERT INTO ledger_revisions (device_key, window_start, window_end, reason, created_at, reversed_rows, posted_rows)
            VALUES (@deviceKey, @start, @end, @reason, @now, @reversed, @posted) RETURNING id
            """;
        const string copySql = """
            COPY ledger_entries (device_key, classroom, kind, period_start, period_end, local_date, energy_wh, held_energy_wh, on_time_sec,
                cost, currency, rate_per_kwh, cost_version_id, method, confidence, marks, from_event_id, to_event_id, revision_id, reverses_id, created_at)
            FROM STDIN (FORMAT BINARY)
            """;
        var revisions = new long?[work.Count];
        for (var i = 0; i < work.Count; i++)
        {
            var plan = work[i].Plan;
            if (plan.Reversals.Count == 0)
            {
                continue;
            }
            var all = plan.Reversals.Select(r => r.Line).Concat(plan.Postings).ToList();
            revisions[i] = await conn.ExecuteScalarAsync<long>(new CommandDefinition(revisionSql, new
            {
                deviceKey = work[i].DeviceKey,
                start = all.Min(l => l.PeriodStart),
                end = all.Max(l => l.PeriodEnd),
                reason = work[i].Reason,
                now,
                reversed = plan.Reversals.Count,
                posted = plan.Postings.Count,
            }, cancellationToken: ct));
        }
        var count = 0;
        var dirty = new HashSet<(string DeviceKey, LocalDate Date)>();
        await using (var writer = await conn.BeginBinaryImportAsync(copySql, ct))
        {
            for (var i = 0; i < work.Count; i++)
            {
                foreach (var r in work[i].Plan.Reversals)
                {
                    WriteRow(writer, r.Line.ToReversal(), revisions[i], r.Id, now);
                    dirty.Add((work[i].DeviceKey, r.Line.LocalDate));
                    count++;
                }
                foreach (var p in work[i].Plan.Postings)
                {
                    WriteRow(writer, p, revisions[i], null, now);
                    dirty.Add((work[i].DeviceKey, p.LocalDate));
                    count++;
                }
            }
            await writer.CompleteAsync(ct);
        }
        await MarkDirtyAsync(conn, [.. dirty], now, ct);
        return count;
    }

    // Synchronous writes into the importer's buffer (it flushes, blocking, when full): one ValueTask per column and row
    // was a measurable share of the append step's CPU on 2 cores.
    private static void WriteRow(NpgsqlBinaryImporter writer, LedgerLine l, long? revisionId, long? reversesId, Instant now)
    {
        writer.StartRow();
        writer.Write(l.DeviceKey, NpgsqlDbType.Text);
        writer.Write(l.Classroom, NpgsqlDbType.Text);
        writer.Write(LedgerText.Format(l.Kind), NpgsqlDbType.Text);
        writer.Write(l.PeriodStart, NpgsqlDbType.TimestampTz);
        writer.Write(l.PeriodEnd, NpgsqlDbType.TimestampTz);
        writer.Write(l.LocalDate, NpgsqlDbType.Date);
        writer.Write(l.EnergyWh, NpgsqlDbType.Numeric);
        writer.Write(l.HeldEnergyWh, NpgsqlDbType.Numeric);
        writer.Write(l.OnTimeSeconds, NpgsqlDbType.Numeric);
        writer.Write(l.Cost, NpgsqlDbType.Numeric);
        writer.Write(l.Currency, NpgsqlDbType.Text);
        WriteNullable(writer, l.RatePerKwh, NpgsqlDbType.Numeric);
        WriteNullable(writer, l.CostVersionId, NpgsqlDbType.Bigint);
        writer.Write(LedgerText.Format(l.Method), NpgsqlDbType.Text);
        writer.Write(EntryMarksText.Format(l.Confidence), NpgsqlDbType.Text);
        writer.Write((int)l.Marks, NpgsqlDbType.Integer);
        WriteNullable(writer, l.FromEventId, NpgsqlDbType.Bigint);
        WriteNullable(writer, l.ToEventId, NpgsqlDbType.Bigint);
        WriteNullable(writer, revisionId, NpgsqlDbType.Bigint);
        WriteNullable(writer, reversesId, NpgsqlDbType.Bigint);
        writer.Write(now, NpgsqlDbType.TimestampTz);
    }

    private static void WriteNullable<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type)
        where T : struct
    {
        if (value is { } v)
        {
            writer.Write(v, type);
        }
        else
        {
            writer.WriteNull();
        }
    }

    /// <summary>Marks (device, local day) pairs dirty for aggregation, set-based.</summary>
    public static Task MarkDirtyAsync(NpgsqlConnection conn, IReadOnlyList<(string DeviceKey, LocalDate Date)> days, Instant now, CancellationToken ct) =>
        days.Count == 0 ? Task.CompletedTask : conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO dirty_days (device_key, local_date, marked_at) SELECT k, d, @now FROM unnest(@keys::text[], @dates::date[]) AS u(k, d)
            ON CONFLICT (device_key, local_date) DO UPDATE SET marked_at = excluded.marked_at
            """, new { keys = days.Select(d => d.DeviceKey).ToArray(), dates = days.Select(d => d.Date).ToArray(), now }, cancellationToken: ct));

    /// <summary>Stores many cursors at once (never moving one backwards), set-based.</summary>
    public static Task SaveCursorsAsync(NpgsqlConnection conn, IReadOnlyList<CursorUpdate> cursors, Instant now, CancellationToken ct) =>
        cursors.Count == 0 ? Task.CompletedTask : conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ledger_cursors (device_key, last_event_id, accounted_until, updated_at)
            SELECT k, e, u, @now FROM unnest(@keys::text[], @lastIds::bigint[], @untils::timestamptz[]) AS c(k, e, u)
            ON CONFLICT (device_key) DO UPDATE SET last_event_id = greatest(ledger_cursors.last_event_id, excluded.last_event_id),
                accounted_until = greatest(ledger_cursors.accounted_until, excluded.accounted_until), updated_at = excluded.updated_at
            """, new
        {
            keys = cursors.Select(c => c.DeviceKey).ToArray(),
            lastIds = cursors.Select(c => c.LastEventId).ToArray(),
            untils = cursors.Select(c => c.AccountedUntil).ToArray(),
            now,
        }, cancellationToken: ct));
}
