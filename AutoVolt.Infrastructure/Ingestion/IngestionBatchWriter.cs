using System.Text.Json;
using AutoVolt.Domain.Telemetry;
using AutoVolt.Infrastructure.Database;
using Dapper;
using Npgsql;

namespace AutoVolt.Infrastructure.Ingestion;

/// <summary>What one committed batch changed, for the ledger trigger and statistics.</summary>
public sealed record BatchResult(int Inserted, int Duplicates, int Quarantined, int StatusEvents, int Heartbeats, IReadOnlyCollection<string> DeviceKeys);

/// <summary>
/// Writes a batch of classified messages in one transaction: the board/device registry,
/// telemetry events (ON CONFLICT on the dedup hash: a redelivery is a no-op), quarantine rows,
/// status events and heartbeats. Nothing is acknowledged before this commits.
/// </summary>
public sealed class IngestionBatchWriter : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>
    /// Uses its own data source on <paramref name="db"/>'s connection string with automatic preparation: the same
    /// few statements run for every batch, and preparing them cut the embedded path's commit time by a quarter
    /// (bench/AutoVolt.Bench.Ingestion: 5.4 → 3.9 ms per batch, +34 % msg/s). Kept to ingestion so the rest of the
    /// app's queries are unaffected.
    /// </summary>
    public IngestionBatchWriter(AutoVoltDatabase db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var builder = new NpgsqlDataSourceBuilder(db.ConnectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 16;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }
        builder.UseNodaTime();
        _dataSource = builder.Build();
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public async Task<BatchResult> WriteAsync(IReadOnlyList<ClassifiedMessage> batch, CancellationToken ct)
    {
        var readings = batch.OfType<ClassifiedMessage.Reading>().ToList();
        var quarantined = batch.OfType<ClassifiedMessage.Quarantined>().ToList();
        var statuses = batch.OfType<ClassifiedMessage.Status>().ToList();
        var heartbeats = batch.OfType<ClassifiedMessage.Beat>().ToList();

        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);

        await UpsertBoardsAsync(conn, readings, statuses, heartbeats, ct);
        await UpsertDevicesAsync(conn, readings, ct);
        var inserted = await InsertReadingsAsync(conn, readings, ct);
        await InsertQuarantineAsync(conn, quarantined, ct);
        await InsertStatusesAsync(conn, statuses, ct);
        await InsertHeartbeatsAsync(conn, heartbeats, ct);

        await tx.CommitAsync(ct);
        var devices = readings.Select(r => r.Value.DeviceKey).ToHashSet(StringComparer.Ordinal);
        return new BatchResult(inserted, readings.Count - inserted, quarantined.Count, statuses.Count, heartbeats.Count, devices);
    }

    private static async Task UpsertBoardsAsync(NpgsqlConnection conn, List<ClassifiedMessage.Reading> readings,
        List<ClassifiedMessage.Status> statuses, List<ClassifiedMessage.Beat> heartbeats, CancellationToken ct)
    {
        var boards = readings.Select(r => (Name: r.Value.EspName, Classroom: r.Value.Classroom ?? "", Seen: r.Value.ReceivedAt, Fw: r.Value.FirmwareVer, Rssi: r.Value.WifiRssi))
            .Concat(statuses.Select(s => (Name: s.Value.EspName, Classroom: "", Seen: s.Value.ReceivedAt, Fw: (string?)null, Rssi: (int?)null)))
            .Concat(heartbeats.Select(h => (Name: h.Value.EspName, Classroom: "", Seen: h.Value.ReceivedAt, Fw: h.Value.FirmwareVer, Rssi: h.Value.WifiRssi)))
            .GroupBy(b => b.Name, StringComparer.Ordinal)
            .Select(g => g.OrderBy(b => b.Seen).Last() with { Classroom = g.Select(b => b.Classroom).LastOrDefault(c => c.Length > 0) ?? "" })
            .OrderBy(b => b.Name, StringComparer.Ordinal) // stable lock order across concurrent batches
            .ToList();
        if (boards.Count == 0)
        {
            return;
        }
        const string sql = """
            INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at, firmware_ver, wifi_rssi)
            SELECT * FROM unnest(@names, @classrooms, @seen, @seen, @fw, @rssi)
            ON CONFLICT (esp32_name) DO UPDATE SET
                classroom    = CASE WHEN excluded.classroom <> '' THEN excluded.classroom ELSE boards.classroom END,
                last_seen_at = greatest(boards.last_seen_at, excluded.last_seen_at),
                firmware_ver = coalesce(excluded.firmware_ver, boards.firmware_ver),
                wifi_rssi    = coalesce(excluded.wifi_rssi, boards.wifi_rssi)
            """;
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            names = boards.Select(b => b.Name).ToArray(),
            classrooms = boards.Select(b => b.Classroom).ToArray(),
            seen = boards.Select(b => b.Seen).ToArray(),
            fw = boards.Select(b => b.Fw).ToArray(),
            rssi = boards.Select(b => b.Rssi).ToArray(),
        }, cancellationToken: ct));
    }

    private static async Task UpsertDevicesAsync(NpgsqlConnection conn, List<ClassifiedMessage.Reading> readings, CancellationToken ct)
    {
        var devices = readings.Select(r => r.Value)
            .GroupBy(r => r.DeviceKey, StringComparer.Ordinal)
            .Select(g => g.OrderBy(r => r.ReceivedAt).Last())
            .OrderBy(r => r.DeviceKey, StringComparer.Ordinal)
            .ToList();
        if (devices.Count == 0)
        {
            return;
        }
        const string sql = """
            INSERT INTO devices (device_key, esp32_name, device_id, classroom, payload_switch_key, first_seen_at, last_seen_at)
            SELECT k, b, d, c, s, t, t FROM unnest(@keys, @boards, @ids, @classrooms, @switchKeys, @seen) AS u(k, b, d, c, s, t)
            ON CONFLICT (device_key) DO UPDATE SET
                classroom          = CASE WHEN devices.classroom = '' THEN excluded.classroom ELSE devices.classroom END,
                payload_switch_key = coalesce(excluded.payload_switch_key, devices.payload_switch_key),
                last_seen_at       = greatest(devices.last_seen_at, excluded.last_seen_at)
            """;
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            keys = devices.Select(r => r.DeviceKey).ToArray(),
            boards = devices.Select(r => r.EspName).ToArray(),
            ids = devices.Select(r => r.DeviceId).ToArray(),
            classrooms = devices.Select(r => r.Classroom ?? "").ToArray(),
            switchKeys = devices.Select(r => r.SwitchKey).ToArray(),
            seen = devices.Select(r => r.ReceivedAt).ToArray(),
        }, cancellationToken: ct));
    }

    private static async Task<int> InsertReadingsAsync(NpgsqlConnection conn, List<ClassifiedMessage.Reading> readings, CancellationToken ct)
    {
        if (readings.Count == 0)
        {
            return 0;
        }
        const string sql = """
            INSERT INTO telemetry_events (dedup_hash, device_key, esp32_name, device_id, classroom, board_ts, reading_ts, received_at,
                power_w, energy_wh_total, switch_state, switch_key, uptime_seconds, status, sequence_no, firmware_ver, wifi_rssi, boot_id,
                marks, source, raw_payload)
            SELECT h, k, b, d, c, bt, rt, ra, p, e, ss::jsonb, sk, up, st, sq, fw, rs, bi, m, 'mqtt', raw
            FROM unnest(@hash, @keys, @boards, @ids, @classrooms, @boardTs, @readingTs, @receivedAt, @power, @energy, @switchState,
                        @switchKey, @uptime, @status, @seq, @fw, @rssi, @bootId, @marks, @raw)
                 AS u(h, k, b, d, c, bt, rt, ra, p, e, ss, sk, up, st, sq, fw, rs, bi, m, raw)
            ON CONFLICT (dedup_hash, board_ts) DO NOTHING
            """;
        var values = readings.Select(r => r.Value).ToList();
        return await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            hash = values.Select(v => v.DedupHash.ToArray()).ToArray(),
            keys = values.Select(v => v.DeviceKey).ToArray(),
            boards = values.Select(v => v.EspName).ToArray(),
            ids = values.Select(v => v.DeviceId).ToArray(),
            classrooms = values.Select(v => v.Classroom ?? "").ToArray(),
            boardTs = values.Select(v => v.BoardTimestamp).ToArray(),
            readingTs = values.Select(v => v.Timestamp).ToArray(),
            receivedAt = values.Select(v => v.ReceivedAt).ToArray(),
            power = values.Select(v => v.PowerW).ToArray(),
            energy = values.Select(v => v.EnergyWhTotal).ToArray(),
            switchState = values.Select(v => v.SwitchState is null ? null : JsonSerializer.Serialize(v.SwitchState)).ToArray(),
            switchKey = values.Select(v => v.SwitchKey).ToArray(),
            uptime = values.Select(v => v.UptimeSeconds).ToArray(),
            status = values.Select(v => v.Status).ToArray(),
            seq = values.Select(v => v.SequenceNo).ToArray(),
            fw = values.Select(v => v.FirmwareVer).ToArray(),
            rssi = values.Select(v => v.WifiRssi).ToArray(),
            bootId = values.Select(v => v.BootId).ToArray(),
            marks = values.Select(v => (int)v.Marks).ToArray(),
            raw = readings.Select(r => r.Raw.ToArray()).ToArray(),
        }, cancellationToken: ct));
    }

    private static async Task InsertQuarantineAsync(NpgsqlConnection conn, List<ClassifiedMessage.Quarantined> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        const string sql = """
            INSERT INTO quarantined_messages (topic, payload, reason, field, received_at)
            SELECT * FROM unnest(@topics, @payloads, @reasons, @fields, @received)
            """;
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            topics = rows.Select(r => r.Topic).ToArray(),
            payloads = rows.Select(r => r.Raw.ToArray()).ToArray(),
            reasons = rows.Select(r => r.Reason).ToArray(),
            fields = rows.Select(r => r.Field).ToArray(),
            received = rows.Select(r => r.ReceivedAt).ToArray(),
        }, cancellationToken: ct));
    }

    private static async Task InsertStatusesAsync(NpgsqlConnection conn, List<ClassifiedMessage.Status> rows, CancellationToken ct)
    {
        foreach (var s in rows)
        {
            var status = s.Value.State == BoardState.Online ? "online" : "offline";
            const string sql = """
                INSERT INTO board_status_events (esp32_name, status, occurred_at, received_at, source)
                SELECT @board, @status, @at, @received, @source
                WHERE NOT EXISTS (SELECT 1 FROM board_status_events WHERE esp32_name = @board AND status = @status AND occurred_at = @at);
                UPDATE boards SET last_status = @status, last_status_at = @at
                WHERE esp32_name = @board AND (last_status_at IS NULL OR last_status_at <= @at);
                """;
            await conn.ExecuteAsync(new CommandDefinition(sql, new
            {
                board = s.Value.EspName,
                status,
                at = s.Value.Timestamp,
                received = s.Value.ReceivedAt,
                source = s.Value.IsTimestampFromPayload ? "status" : "status_received",
            }, cancellationToken: ct));
        }
    }

    private static async Task InsertHeartbeatsAsync(NpgsqlConnection conn, List<ClassifiedMessage.Beat> rows, CancellationToken ct)
    {
        foreach (var h in rows)
        {
            var offsetMs = h.Value.ClockOffset is { } off ? (long?)off.TotalMilliseconds : null;
            const string sql = """
                INSERT INTO heartbeats (esp32_name, board_ts, received_at, uptime_seconds, wifi_rssi, offset_ms)
                VALUES (@board, @boardTs, @received, @uptime, @rssi, @offsetMs)
                ON CONFLICT DO NOTHING;
                UPDATE boards SET clock_offset_ms = coalesce(@offsetMs, clock_offset_ms), clock_offset_at = @received,
                    last_status = CASE WHEN last_status = 'unknown' THEN 'online' ELSE last_status END
                WHERE esp32_name = @board AND (clock_offset_at IS NULL OR clock_offset_at <= @received);
                """;
            await conn.ExecuteAsync(new CommandDefinition(sql, new
            {
                board = h.Value.EspName,
                boardTs = h.Value.BoardTimestamp,
                received = h.Value.ReceivedAt,
                uptime = h.Value.UptimeSeconds,
                rssi = h.Value.WifiRssi,
                offsetMs,
            }, cancellationToken: ct));
        }
    }
}
