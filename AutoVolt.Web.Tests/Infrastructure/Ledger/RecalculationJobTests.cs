using AutoVolt.Infrastructure.Ledger;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace AutoVolt.Web.Tests.Infrastructure.Ledger;

public sealed class RecalculationJobTests(KolkataScenarioApp app) : IClassFixture<KolkataScenarioApp>
{
    private RecalculationJob Job => app.Factory.Services.GetRequiredService<RecalculationJob>();

    private async Task PublishAsync(string board, DateTimeOffset t0, params (int Minutes, decimal Wh)[] readings)
    {
        await using var client = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, board + t0.Day.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (m, wh) in readings)
        {
            await client.PublishAsync($"autovolt/{board}/telemetry", MqttTestClient.Telemetry(board, "ac_1", t0.AddMinutes(m), wh, 100m, (t0.Day * 1000) + m));
        }
    }

    [Fact]
    public async Task RateAddedInThePast_PreviewShowsDifferencePerDeviceDay_ApplyRepricesAppendOnly_ApplyTwiceAppendsNothing()
    {
        // RCA: 40 Wh on 25 Nov 10:00–10:20 IST. RCB: 20 Wh on 26 Nov 10:00–10:10 and 20 Wh on 27 Nov 10:00–10:10 (outside the period).
        await PublishAsync("RCA", new DateTimeOffset(2025, 11, 25, 4, 30, 0, TimeSpan.Zero), (0, 0m), (5, 10m), (10, 20m), (15, 30m), (20, 40m));
        await PublishAsync("RCB", new DateTimeOffset(2025, 11, 26, 4, 30, 0, TimeSpan.Zero), (0, 0m), (5, 10m), (10, 20m));
        await PublishAsync("RCB", new DateTimeOffset(2025, 11, 27, 4, 30, 0, TimeSpan.Zero), (0, 20m), (5, 30m), (10, 40m));
        await app.AccountAsync();
        Assert.Equal(0.32m, (await app.DayAsync("RCA/ac_1", "2025-11-25")).Cost);

        // 10/kWh from 25 Nov 10:10 local: RCA 20 Wh × 8 + 20 Wh × 10 = 0.36 (was 0.32); RCB 20 Wh × 10 = 0.20 (was 0.16).
        await app.AddRateAsync(10m, "2025-11-25T10:10");
        var from = new LocalDate(2025, 11, 25);
        var to = new LocalDate(2025, 11, 26);
        var preview = await Job.PreviewAsync(from, to, RecalculationScope.All, null, CancellationToken.None);
        Assert.Equal(
            new[] { ("RCA/ac_1", from, 40m, 0.32m, 0.36m, 0.04m), ("RCB/ac_1", to, 20m, 0.16m, 0.20m, 0.04m) },
            preview.Select(p => (p.DeviceKey, p.LocalDate, p.EnergyWh, p.OldCost, p.NewCost, p.Difference)));
        Assert.Single(await Job.PreviewAsync(from, to, RecalculationScope.Device, "RCB/ac_1", CancellationToken.None));
        await using var conn = await app.Db.OpenAsync();
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM ledger_entries WHERE kind = 'reversal'"));

        var appended = await Job.ApplyAsync("2025-11-25", "2025-11-26", "all", null, CancellationToken.None);

        Assert.True(appended > 0);
        Assert.Equal(0.36m, (await app.DayAsync("RCA/ac_1", "2025-11-25")).Cost);
        Assert.Equal(40m, (await app.DayAsync("RCA/ac_1", "2025-11-25")).EnergyWh);
        Assert.Equal(0.20m, (await app.DayAsync("RCB/ac_1", "2025-11-26")).Cost);
        Assert.Equal(0.16m, (await app.DayAsync("RCB/ac_1", "2025-11-27")).Cost); // outside the period: not re-priced
        Assert.True(await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM ledger_entries WHERE kind = 'reversal'") > 0);
        Assert.Equal(["recalculation"], (await conn.QueryAsync<string>("SELECT DISTINCT reason FROM ledger_revisions")).ToList());
        var progress = await Job.LatestProgressAsync(CancellationToken.None);
        Assert.NotNull(progress);
        Assert.Equal((2, 2, appended), (progress.Done, progress.Total, progress.RowsAppended));
        Assert.NotNull(progress.FinishedAt);
        var after = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_entries");
        var previewAfter = await Job.PreviewAsync(from, to, RecalculationScope.All, null, CancellationToken.None);
        Assert.All(previewAfter, p => Assert.Equal(0m, p.Difference));

        Assert.Equal(0, await Job.ApplyAsync("2025-11-25", "2025-11-26", "all", null, CancellationToken.None));
        Assert.Equal(after, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_entries"));
        await app.AssertInvariantsAsync("RCA/ac_1");
    }
}
