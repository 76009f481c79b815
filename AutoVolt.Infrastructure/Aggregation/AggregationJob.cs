using AutoVolt.Domain.Time;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using Hangfire;
using Microsoft.Extensions.Options;
using NodaTime;

namespace AutoVolt.Infrastructure.Aggregation;

/// <summary>
/// Recomputes the daily, quarter-hour and monthly aggregates of every dirty (device, local day) exactly from
/// the ledger rows, and records when it last ran. Safe to run twice and concurrently (each day is
/// claimed with SKIP LOCKED).
/// </summary>
public sealed class AggregationJob(AutoVoltDatabase db, IOptions<SiteOptions> site, IClock clock, AggregationNotifier notifier)
{
    private readonly SiteCalendar _calendar = new(site.Value.Zone());

    /// <summary>Days claimed per transaction.</summary>
    private const int ClaimBatch = 200;

    /// <summary>
    /// Claim loops run side by side: one transaction's reading and arithmetic (client) overlaps another's queries and writes
    /// (server). Each claims its own days (SKIP LOCKED); a month two of them touch is recomputed under a lock.
    /// </summary>
    public const int ParallelClaims = 2;

    [Queue(Jobs.JobQueues.Ledger)]
    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var started = clock.GetCurrentInstant();
        var counts = await Task.WhenAll(Enumerable.Range(0, ParallelClaims).Select(_ => Task.Run(() => ClaimLoopAsync(ct), ct)));
        var total = counts.Sum();
        await AggregateStore.RecordRunAsync(db, "aggregation", started, clock.GetCurrentInstant(), total, ct);
        return total;
    }

    private async Task<int> ClaimLoopAsync(CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var done = await AggregateStore.RecomputeDirtyAsync(db, _calendar, ClaimBatch, clock, ct);
            total += done.Count;
            if (done.Count > 0)
            {
                notifier.Publish(done);
            }
            if (done.Count < ClaimBatch)
            {
                return total;
            }
        }
    }
}
