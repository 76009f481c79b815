using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Ingestion;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AutoVolt.Infrastructure.Ledger;

/// <summary>
/// Schedules the ledger job after ingestion commits, once the settle window has passed for the
/// newest readings; bursts of commits are coalesced into at most one scheduled run per second.
/// </summary>
public sealed class LedgerTrigger(IngestionPipeline pipeline, IBackgroundJobClient jobs, IOptions<LedgerOptions> options) : BackgroundService
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
                    jobs.Schedule<LedgerJob>(j => j.RunAsync(CancellationToken.None), delay);
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

    private void OnCommitted(BatchResult result)
    {
        if (result.Inserted > 0)
        {
            Volatile.Write(ref _pending, 1);
        }
    }
}
