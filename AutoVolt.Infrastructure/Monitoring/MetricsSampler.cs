using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ingestion;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace AutoVolt.Infrastructure.Monitoring;

/// <summary>
/// Feeds <see cref="AutoVoltMetrics"/>: counts each committed ingestion batch, and every <see cref="Interval"/> samples
/// the gauges (unaccounted readings, ledger rows, dirty days, quarantine, open tickets, last job runs, Hangfire states).
/// </summary>
public sealed partial class MetricsSampler(AutoVoltMetrics metrics, IngestionPipeline pipeline, AutoVoltDatabase db, JobStorage storage, IClock clock,
    ILogger<MetricsSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        pipeline.Committed += metrics.Record;
        try
        {
            using var timer = new PeriodicTimer(Interval);
            do
            {
                try
                {
                    metrics.Update(await SampleAsync(stoppingToken));
                }
                catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    LogSampleFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            pipeline.Committed -= metrics.Record;
        }
    }

    /// <summary>Reads the gauge values now.</summary>
    public async Task<MetricsSnapshot> SampleAsync(CancellationToken ct)
    {
        const string sql = """
            SELECT
              (SELECT count(*) FROM telemetry_events e LEFT JOIN ledger_cursors c ON c.device_key = e.device_key
               WHERE e.id > coalesce(c.last_event_id, 0)) AS unaccounted,
              (SELECT count(*) FROM ledger_entries) AS ledger_rows,
              (SELECT count(*) FROM dirty_days) AS dirty_days,
              (SELECT count(*) FROM quarantined_messages) AS quarantine_rows,
              (SELECT count(*) FROM review_tickets WHERE status = 'open') AS open_tickets;
            SELECT job, extract(epoch FROM max(finished_at))::float8 FROM job_runs WHERE finished_at IS NOT NULL GROUP BY job
            UNION ALL
            SELECT 'ledger', extract(epoch FROM max(updated_at))::float8 FROM ledger_cursors HAVING max(updated_at) IS NOT NULL;
            """;
        await using var conn = await db.OpenAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(sql, cancellationToken: ct));
        var counts = await grid.ReadSingleAsync<(long Unaccounted, long LedgerRows, long DirtyDays, long QuarantineRows, long OpenTickets)>();
        var lastRuns = (await grid.ReadAsync<(string Job, double At)>()).ToDictionary(r => r.Job, r => r.At, StringComparer.Ordinal);
        var stats = storage.GetMonitoringApi().GetStatistics();
        var states = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["succeeded"] = stats.Succeeded,
            ["failed"] = stats.Failed,
            ["enqueued"] = stats.Enqueued,
            ["scheduled"] = stats.Scheduled,
            ["processing"] = stats.Processing,
        };
        return new MetricsSnapshot(counts.Unaccounted, counts.LedgerRows, counts.DirtyDays, counts.QuarantineRows, counts.OpenTickets, lastRuns, states,
            clock.GetCurrentInstant().ToUnixTimeMilliseconds() / 1000d);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics sample failed")]
    private static partial void LogSampleFailed(ILogger logger, Exception ex);
}
