using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Ingestion;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoVolt.Infrastructure.Ledger;

/// <summary>
/// Schedules the ledger job after ingestion commits, once the settle window has passed for the
/// newest readings; bursts of commits are coalesced into at most one scheduled run per second.
/// </summary>
public sealed partial class LedgerTrigger(IngestionPipeline pipeline, IBackgroundJobClient jobs, IOptions<LedgerOptions> options, ILogger<LedgerTrigger> logger)
    : BackgroundService
{
    private int _pending;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        pipeline.Committed += OnCommitted;
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (Interlocked.Exchange(ref _pending, 0) == 1)
                {
                    var delay = TimeSpan.FromSeconds(options.Value.SettleSeconds + 1);
                    try
                    {
                        jobs.Schedule<LedgerJob>(j => j.RunAsync(CancellationToken.None), delay);
                    }
                    catch (BackgroundJobClientException ex)
                    {
                        // The job store (PostgreSQL) is unreachable for a moment: try again on the next tick instead of
                        // letting the exception stop this service (and, by default, the whole host).
                        Volatile.Write(ref _pending, 1);
                        LogScheduleFailed(logger, ex.InnerException?.Message ?? ex.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            pipeline.Committed -= OnCommitted;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not schedule the ledger job (will retry): {Error}")]
    private static partial void LogScheduleFailed(ILogger logger, string error);

    private void OnCommitted(BatchResult result)
    {
        if (result.Inserted > 0)
        {
            Volatile.Write(ref _pending, 1);
        }
    }
}
