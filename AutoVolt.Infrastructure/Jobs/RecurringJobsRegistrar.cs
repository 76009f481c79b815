using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Ledger;
using AutoVolt.Infrastructure.Reconciliation;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AutoVolt.Infrastructure.Jobs;

/// <summary>Registers every recurring job at start-up (ids in <see cref="RecurringJobs"/>).</summary>
internal sealed class RecurringJobsRegistrar(IRecurringJobManager manager, IOptions<SiteOptions> site) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        manager.AddOrUpdate<LedgerJob>(RecurringJobs.LedgerSafetyNet, Jobs.JobQueues.Ledger, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<AggregationJob>(RecurringJobs.AggregationSafetyNet, Jobs.JobQueues.Ledger, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        // Nightly at 02:00 in the site zone (Hangfire applies the zone's DST rules).
        manager.AddOrUpdate<ReconciliationJob>(RecurringJobs.Reconciliation, Jobs.JobQueues.Default, j => j.RunAsync(null, CancellationToken.None), Cron.Daily(2),
            new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(site.Value.TimeZone) });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
