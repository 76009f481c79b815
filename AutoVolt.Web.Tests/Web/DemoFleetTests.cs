using AutoVolt.Infrastructure.Database;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AutoVolt.Web.Tests.Web;

public sealed class DemoFleetTests
{
    [Fact]
    public async Task Demo_SimulatedFleet_ReadingsReachTheLedgerAndDailyAggregates()
    {
        await using var app = new AutoVoltAppFactory().With("Demo:Enabled", "true").With("Demo:Boards", "2").With("Demo:TimeScale", "600");
        _ = app.Server;
        var db = app.Services.GetRequiredService<AutoVoltDatabase>();
        async Task<long> Count(string sql)
        {
            await using var conn = await db.OpenAsync();
            return await conn.ExecuteScalarAsync<long>(sql);
        }
        Assert.Equal(2L, await Eventually.EqualAsync(2L, () => Count("SELECT count(DISTINCT esp32_name) FROM telemetry_events"), 30_000));
        Assert.True(await Eventually.EqualAsync(true, async () => await Count("SELECT count(*) FROM daily_aggregates WHERE energy_wh > 0") > 0, 60_000),
            "the ledger and aggregation jobs turned demo readings into daily aggregates");
        Assert.Equal(0L, await Count("SELECT count(*) FROM quarantined_messages"));
    }
}
