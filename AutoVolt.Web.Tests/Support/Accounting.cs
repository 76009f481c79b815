using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ledger;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AutoVolt.Web.Tests.Support;

/// <summary>Runs the ledger and aggregation jobs of a running app the way a test needs them: everything committed.</summary>
public static class Accounting
{
    /// <summary>
    /// Runs the aggregation job until no dirty day is left. The app's own triggers may be aggregating some days at the
    /// same moment (the job skips days another run holds), so one run is not enough to read committed aggregates.
    /// </summary>
    public static async Task AggregateAllAsync(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AutoVoltDatabase>();
        await Eventually.EqualAsync(0L, async () =>
        {
            await scope.ServiceProvider.GetRequiredService<AggregationJob>().RunAsync(CancellationToken.None);
            await using var conn = await db.OpenAsync();
            return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM dirty_days");
        });
    }

    /// <summary>Runs the ledger job once, then <see cref="AggregateAllAsync"/>.</summary>
    public static async Task AccountAllAsync(IServiceProvider services)
    {
        using (var scope = services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<LedgerJob>().RunAsync(CancellationToken.None);
        }
        await AggregateAllAsync(services);
    }
}
