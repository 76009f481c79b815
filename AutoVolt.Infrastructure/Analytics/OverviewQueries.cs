using AutoVolt.Infrastructure.Database;
using Dapper;

namespace AutoVolt.Infrastructure.Analytics;

/// <summary>Counts of what the system holds, for empty states and the Health page.</summary>
public sealed record StoreCounts(long TelemetryEvents, long QuarantinedMessages, long Boards, long Devices, long LedgerEntries, long DailyAggregates, long OpenReviewTickets, long CostVersions);

public sealed class OverviewQueries(AutoVoltDatabase db)
{
    public async Task<StoreCounts> CountsAsync(CancellationToken ct = default)
    {
        const string sql = """
            SELECT (SELECT count(*) FROM telemetry_events)       AS telemetry_events,
                   (SELECT count(*) FROM quarantined_messages)   AS quarantined_messages,
                   (SELECT count(*) FROM boards)                 AS boards,
                   (SELECT count(*) FROM devices)                AS devices,
                   (SELECT count(*) FROM ledger_entries)         AS ledger_entries,
                   (SELECT count(*) FROM daily_aggregates)       AS daily_aggregates,
                   (SELECT count(*) FROM review_tickets WHERE status = 'open') AS open_review_tickets,
                   (SELECT count(*) FROM cost_versions)          AS cost_versions
            """;
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync<StoreCounts>(new CommandDefinition(sql, cancellationToken: ct));
    }
}
