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
        // With no cost version in the database the demo creates one, so the demo shows money.
        Assert.Equal(1L, await Count("SELECT count(*) FROM cost_versions WHERE created_by = 'demo' AND scope = 'global' AND cost_per_kwh = 8"));
        Assert.True(await Eventually.EqualAsync(true, async () => await Count("SELECT count(*) FROM daily_aggregates WHERE cost > 0") > 0, 60_000),
            "demo energy is priced");
    }

    [Fact]
    public async Task Demo_ExistingCostVersion_NoDemoRateCreated()
    {
        var cs = TestPostgres.CreateMigratedDatabase("demorate");
        await using (var conn = new Npgsql.NpgsqlConnection(cs))
        {
            await conn.ExecuteAsync("""
                INSERT INTO cost_versions (cost_per_kwh, currency, effective_from, effective_at, scope, created_at, created_by)
                VALUES (6.5, 'INR', '2025-01-01T00:00', '2024-12-31T18:30:00Z', 'global', now(), 'admin')
                """);
        }
        await using var app = new AutoVoltAppFactory(cs).With("Demo:Enabled", "true").With("Demo:Boards", "1").With("Demo:TimeScale", "600");
        _ = app.Server;
        var db = app.Services.GetRequiredService<AutoVoltDatabase>();
        await using var c = await db.OpenAsync();
        Assert.True(await Eventually.EqualAsync(true, async () => await c.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry_events") > 0, 30_000));
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM cost_versions WHERE created_by = 'demo'"));
    }
}
