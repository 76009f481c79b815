using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Ledger;
using Hangfire;
using Microsoft.Extensions.Hosting;

namespace AutoVolt.Infrastructure.Jobs;

/// <summary>Registers every recurring job at start-up (ids in <see cref="RecurringJobs"/>).</summary>
internal sealed class RecurringJobsRegistrar(IRecurringJobManager manager) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        manager.AddOrUpdate<LedgerJob>(RecurringJobs.LedgerSafetyNet, Jobs.JobQueues.Ledger, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<AggregationJob>(RecurringJobs.AggregationSafetyNet, Jobs.JobQueues.Ledger, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
