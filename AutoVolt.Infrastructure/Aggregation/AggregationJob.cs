using AutoVolt.Infrastructure.Database;
using Hangfire;
using NodaTime;

namespace AutoVolt.Infrastructure.Aggregation;

/// <summary>
/// Recomputes the daily and monthly aggregates of every dirty (device, local day) exactly from
/// the ledger rows, and records when it last ran. Safe to run twice and concurrently (each day is
/// claimed with SKIP LOCKED).
/// </summary>
public sealed class AggregationJob(AutoVoltDatabase db, IClock clock, AggregationNotifier notifier)
{
    /// <summary>Days claimed per transaction.</summary>
    private const int ClaimBatch = 200;

    [Queue(Jobs.JobQueues.Ledger)]
    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var started = clock.GetCurrentInstant();
        var total = 0;
        while (true)
        {
            var done = await AggregateStore.RecomputeDirtyAsync(db, ClaimBatch, clock, ct);
            total += done.Count;
            if (done.Count > 0)
            {
                notifier.Publish(done);
            }
            if (done.Count < ClaimBatch)
            {
                break;
            }
        }
        await AggregateStore.RecordRunAsync(db, "aggregation", started, clock.GetCurrentInstant(), total, ct);
        return total;
    }
}
