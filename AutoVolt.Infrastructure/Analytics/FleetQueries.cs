using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using Dapper;
using Microsoft.Extensions.Options;
using NodaTime;

namespace AutoVolt.Infrastructure.Analytics;

public sealed record BoardRow(string Esp32Name, string Classroom, Instant LastSeenAt, string LastStatus, Instant? LastStatusAt,
    string? FirmwareVer, int? WifiRssi, long? ClockOffsetMs, int Devices)
{
    /// <summary>Board clock offset beyond ±5 min (DESIGN: clock_drift).</summary>
    public bool ClockDrift => ClockOffsetMs is { } ms && AutoVolt.Domain.Telemetry.ClockDrift.Exceeds(Duration.FromMilliseconds(ms));
}

public sealed record DeviceRow(string DeviceKey, string Esp32Name, string DeviceId, string Classroom, string? SwitchKey, string? PayloadSwitchKey,
    decimal MaxPowerW, Instant LastSeenAt, string BoardStatus, decimal CoveredSeconds, decimal DaySeconds)
{
    /// <summary>Share of the local day covered by ledger rows, 0–1.</summary>
    public decimal Coverage => DaySeconds == 0 ? 0 : Math.Min(1m, CoveredSeconds / DaySeconds);
}

public sealed record QuarantineRow(long Id, string Topic, string Reason, string? Field, Instant ReceivedAt, string PayloadPreview);

/// <summary>Registry and intake views for the Devices and Health pages.</summary>
public sealed class FleetQueries(AutoVoltDatabase db, IOptions<SiteOptions> site)
{
    public async Task<IReadOnlyList<BoardRow>> BoardsAsync(CancellationToken ct = default)
    {
        const string sql = """
            SELECT b.esp32_name, b.classroom, b.last_seen_at, b.last_status, b.last_status_at, b.firmware_ver, b.wifi_rssi, b.clock_offset_ms,
                   (SELECT count(*)::int FROM devices d WHERE d.esp32_name = b.esp32_name) AS devices
            FROM boards b ORDER BY b.esp32_name
            """;
        await using var conn = await db.OpenAsync(ct);
        return (await conn.QueryAsync<BoardRow>(new CommandDefinition(sql, cancellationToken: ct))).ToList();
    }

    /// <summary>Devices with the share of <paramref name="date"/> (local) their live ledger rows cover.</summary>
    public async Task<IReadOnlyList<DeviceRow>> DevicesAsync(LocalDate date, CancellationToken ct = default)
    {
        var day = new AutoVolt.Domain.Time.SiteCalendar(site.Value.Zone()).DayInterval(date);
        const string sql = """
            SELECT d.device_key, d.esp32_name, d.device_id, d.classroom, d.switch_key, d.payload_switch_key, d.max_power_w, d.last_seen_at,
                   b.last_status AS board_status,
                   coalesce((SELECT sum(extract(epoch FROM (l.period_end - l.period_start)))
                             FROM ledger_entries l
                             WHERE l.device_key = d.device_key AND l.local_date = @date AND l.kind = 'posting'
                               AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.kind = 'reversal' AND r.reverses_id = l.id)), 0) AS covered_seconds,
                   @daySeconds AS day_seconds
            FROM devices d JOIN boards b ON b.esp32_name = d.esp32_name
            ORDER BY d.classroom, d.device_key
            """;
        await using var conn = await db.OpenAsync(ct);
        return (await conn.QueryAsync<DeviceRow>(new CommandDefinition(sql, new { date, daySeconds = (decimal)day.Duration.TotalSeconds }, cancellationToken: ct))).ToList();
    }

    public async Task<IReadOnlyList<QuarantineRow>> QuarantineAsync(int limit, int offset, CancellationToken ct = default)
    {
        const string sql = """
            SELECT id, topic, reason, field, received_at, encode(substring(payload FROM 1 FOR 200), 'escape') AS payload_preview
            FROM quarantined_messages ORDER BY id DESC LIMIT @limit OFFSET @offset
            """;
        await using var conn = await db.OpenAsync(ct);
        return (await conn.QueryAsync<QuarantineRow>(new CommandDefinition(sql, new { limit = Math.Clamp(limit, 1, 500), offset = Math.Max(0, offset) }, cancellationToken: ct))).ToList();
    }

    /// <summary>Classrooms that have devices, for pickers.</summary>
    public async Task<IReadOnlyList<string>> ClassroomsAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return (await conn.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT classroom FROM devices WHERE classroom <> '' ORDER BY classroom", cancellationToken: ct))).ToList();
    }

    /// <summary>Today's local date in the site zone.</summary>
    public LocalDate Today(IClock clock) => clock.GetCurrentInstant().InZone(site.Value.Zone()).Date;
}
