using Dapper;
using Npgsql;
using NodaTime;

namespace AutoVolt.Infrastructure.Ledger;

/// <summary>SQL for board status events that landed inside periods the ledger had already accounted.</summary>
public static class LateStatusStore
{
    /// <summary>A device whose accounted history contains a status event it has not seen, and the earliest such instant.</summary>
    public sealed record AffectedDevice(string DeviceKey, Instant From);

    /// <summary>
    /// Locks the status cursor for this transaction (one worker at a time) and returns the devices whose accounted period
    /// (up to their cursor's <c>accounted_until</c>) contains a status event newer than the cursor, received before
    /// <paramref name="settledBefore"/>; plus the highest such status id (null when there is none).
    /// </summary>
    public static async Task<(IReadOnlyList<AffectedDevice> Devices, long? MaxStatusId)> PendingAsync(NpgsqlConnection conn, Instant settledBefore, CancellationToken ct)
    {
        var last = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT last_status_id FROM ledger_status_cursor WHERE id = 1 FOR UPDATE", cancellationToken: ct));
        var maxId = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT max(id) FROM board_status_events WHERE id > @last AND received_at <= @settledBefore",
            new { last, settledBefore }, cancellationToken: ct));
        if (maxId is null)
        {
            return ([], null);
        }
        const string sql = """
            SELECT d.device_key, min(s.occurred_at) AS "from"
            FROM board_status_events s
            JOIN devices d ON d.esp32_name = s.esp32_name
            JOIN ledger_cursors c ON c.device_key = d.device_key
            WHERE s.id > @last AND s.id <= @maxId AND s.occurred_at < c.accounted_until
            GROUP BY d.device_key
            ORDER BY d.device_key
            """;
        var rows = await conn.QueryAsync<(string DeviceKey, Instant From)>(new CommandDefinition(sql, new { last, maxId }, cancellationToken: ct));
        return (rows.Select(r => new AffectedDevice(r.DeviceKey, r.From)).ToList(), maxId);
    }

    /// <summary>Moves the status cursor forward (inside the transaction of <see cref="PendingAsync"/>).</summary>
    public static Task SaveAsync(NpgsqlConnection conn, long lastStatusId, Instant now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            "UPDATE ledger_status_cursor SET last_status_id = greatest(last_status_id, @lastStatusId), updated_at = @now WHERE id = 1",
            new { lastStatusId, now }, cancellationToken: ct));
}
