using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ledger;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace AutoVolt.Web.Tests.Infrastructure.Ledger;

public sealed class LedgerAppFixture : IAsyncLifetime
{
    public AutoVoltAppFactory Factory { get; } = new AutoVoltAppFactory().With("Site:TimeZone", "Asia/Kolkata");

    public AutoVoltDatabase Db => Factory.Services.GetRequiredService<AutoVoltDatabase>();

    public async Task InitializeAsync()
    {
        _ = Factory.Server;
        await using var conn = await Db.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO cost_versions (cost_per_kwh, currency, effective_from, effective_at, scope, created_at)
            VALUES (8, 'INR', '2025-01-01T00:00', '2024-12-31T18:30Z', 'global', now())
            """);
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    public async Task AccountAsync()
    {
        await Accounting.AccountAllAsync(Factory.Services);
    }

    public async Task<decimal> DailyAsync(string deviceKey, string date)
    {
        await using var conn = await Db.OpenAsync();
        return await conn.ExecuteScalarAsync<decimal?>("SELECT energy_wh FROM daily_aggregates WHERE device_key = @deviceKey AND local_date = @date::date", new { deviceKey, date }) ?? -1m;
    }

    public async Task<decimal> LedgerSumAsync(string deviceKey, string date)
    {
        await using var conn = await Db.OpenAsync();
        return await conn.ExecuteScalarAsync<decimal>("SELECT coalesce(sum(energy_wh), 0) FROM ledger_entries WHERE device_key = @deviceKey AND local_date = @date::date", new { deviceKey, date });
    }
}

public sealed class LedgerPipelineTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private static readonly DateTimeOffset Base = new(2025, 11, 5, 18, 20, 0, TimeSpan.Zero); // 23:50 IST

    [Fact]
    public async Task CumulativeReadingsAcrossLocalMidnight_SplitIntoTwoDays_AndPriced()
    {
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "ESPL1");
        (int Minutes, decimal Wh)[] readings = [(0, 100m), (5, 105m), (15, 115m), (20, 120m)];
        foreach (var (minutes, wh) in readings)
        {
            await board.PublishAsync("autovolt/ESPL1/telemetry", MqttTestClient.Telemetry("ESPL1", "light_1", Base.AddMinutes(minutes), wh, 40m, minutes));
        }
        await app.AccountAsync();

        Assert.Equal(10m, await app.DailyAsync("ESPL1/light_1", "2025-11-05"));
        Assert.Equal(10m, await app.DailyAsync("ESPL1/light_1", "2025-11-06"));
        Assert.Equal(10m, await app.LedgerSumAsync("ESPL1/light_1", "2025-11-05"));
        await using var conn = await app.Db.OpenAsync();
        var day = await conn.QuerySingleAsync<(decimal Cost, decimal High, string Currency)>(
            "SELECT cost, energy_high_wh, currency FROM daily_aggregates WHERE device_key = 'ESPL1/light_1' AND local_date = '2025-11-06'");
        Assert.Equal(0.08m, day.Cost);
        Assert.Equal(10m, day.High);
        Assert.Equal("INR", day.Currency);
        // No ledger row spans the local midnight (18:30Z).
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM ledger_entries WHERE device_key = 'ESPL1/light_1' AND period_start < '2025-11-05T18:30Z' AND period_end > '2025-11-05T18:30Z'"));
        var month = await conn.ExecuteScalarAsync<decimal>("SELECT energy_wh FROM monthly_aggregates WHERE device_key = 'ESPL1/light_1' AND year = 2025 AND month = 11");
        Assert.Equal(20m, month);
    }

    [Fact]
    public async Task LateReading_RederivesWindowWithReversals_TotalsMoveOnlyByTrueDifference_AndRerunAppendsNothing()
    {
        const string key = "ESPL2/light_1";
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "ESPL2");
        (int Minutes, decimal Wh)[] readings = [(0, 100m), (5, 105m), (15, 115m), (20, 120m)];
        foreach (var (minutes, wh) in readings)
        {
            await board.PublishAsync("autovolt/ESPL2/telemetry", MqttTestClient.Telemetry("ESPL2", "light_1", Base.AddMinutes(minutes), wh, 40m, minutes));
        }
        await app.AccountAsync();
        Assert.Equal(10m, await app.DailyAsync(key, "2025-11-05"));

        // A buffered reading at 00:00 IST arrives late: 112 Wh at 18:30Z.
        await board.PublishAsync("autovolt/ESPL2/telemetry", MqttTestClient.Telemetry("ESPL2", "light_1", Base.AddMinutes(10), 112m, 40m, 10));
        await app.AccountAsync();

        Assert.Equal(12m, await app.DailyAsync(key, "2025-11-05"));
        Assert.Equal(8m, await app.DailyAsync(key, "2025-11-06"));
        Assert.Equal(12m, await app.LedgerSumAsync(key, "2025-11-05"));
        Assert.Equal(8m, await app.LedgerSumAsync(key, "2025-11-06"));
        await using var conn = await app.Db.OpenAsync();
        Assert.True(await conn.ExecuteScalarAsync<int>($"SELECT count(*) FROM ledger_entries WHERE device_key = '{key}' AND kind = 'reversal'") > 0);
        Assert.Equal("late reading", await conn.ExecuteScalarAsync<string>($"SELECT reason FROM ledger_revisions WHERE device_key = '{key}'"));

        // Re-deriving the whole (unchanged) history appends nothing.
        var before = await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM ledger_entries WHERE device_key = '{key}'");
        await using (var tx = await conn.BeginTransactionAsync())
        {
            var job = app.Factory.Services.GetRequiredService<LedgerJob>();
            var appended = await job.RederiveAsync(conn, key, Instant.FromDateTimeOffset(Base.AddHours(-1)), long.MaxValue, "test", CancellationToken.None);
            Assert.Equal(0, appended);
            await tx.CommitAsync();
        }
        await app.AccountAsync();
        Assert.Equal(before, await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM ledger_entries WHERE device_key = '{key}'"));
    }

    [Fact]
    public async Task PowerOnlyDevice_ZeroOrderHoldOnlyWhileSwitchOn()
    {
        const string key = "ESPL3/fan_1";
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "ESPL3");
        // 60 W ON for 6 min, then OFF (reporting the last power) for 6 min: only the ON interval counts.
        var t = new DateTimeOffset(2025, 11, 4, 6, 0, 0, TimeSpan.Zero);
        await board.PublishAsync("autovolt/ESPL3/telemetry", MqttTestClient.Telemetry("ESPL3", "fan_1", t, null, 60m, 1, on: true));
        await board.PublishAsync("autovolt/ESPL3/telemetry", MqttTestClient.Telemetry("ESPL3", "fan_1", t.AddMinutes(6), null, 60m, 2, on: false));
        await board.PublishAsync("autovolt/ESPL3/telemetry", MqttTestClient.Telemetry("ESPL3", "fan_1", t.AddMinutes(12), null, 0m, 3, on: false));
        await app.AccountAsync();
        Assert.Equal(6m, await app.DailyAsync(key, "2025-11-04"));
        await using var conn = await app.Db.OpenAsync();
        Assert.Equal(360m, await conn.ExecuteScalarAsync<decimal>($"SELECT on_time_sec FROM daily_aggregates WHERE device_key = '{key}'"));
        Assert.Equal(6m, await conn.ExecuteScalarAsync<decimal>($"SELECT energy_medium_wh FROM daily_aggregates WHERE device_key = '{key}'"));
    }
}
