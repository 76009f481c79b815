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

/// <summary>A rate that starts inside a ledger row: apply splits the row and writes exactly the preview (own app and database).</summary>
public sealed class RecalculationSplitTests(KolkataScenarioApp app) : IClassFixture<KolkataScenarioApp>
{
    private RecalculationJob Job => app.Factory.Services.GetRequiredService<RecalculationJob>();

    [Fact]
    public async Task RateStartingInsideARow_ApplySplitsIt_CostsAreThePreviewsAndEnergyNeverMoves()
    {
        // RCS: 10 Wh 10:00–10:10 IST and 20 Wh 10:10–10:20 on 25 Nov, at 8/kWh: 0.24.
        var t0 = new DateTimeOffset(2025, 11, 25, 4, 30, 0, TimeSpan.Zero);
        await using (var client = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "RCS"))
        {
            foreach (var (m, wh) in new[] { (0, 0m), (10, 10m), (20, 30m) })
            {
                await client.PublishAsync("autovolt/RCS/telemetry", MqttTestClient.Telemetry("RCS", "ac_1", t0.AddMinutes(m), wh, 100m, m));
            }
        }
        await app.AccountAsync();
        Assert.Equal(0.24m, (await app.DayAsync("RCS/ac_1", "2025-11-25")).Cost);

        // 10/kWh from 10:12: the second row splits into 4 Wh at 8 (0.032) and 16 Wh at 10 (0.16); the first stays 0.08.
        await app.AddRateAsync(10m, "2025-11-25T10:12");
        var day = new LocalDate(2025, 11, 25);
        var preview = Assert.Single(await Job.PreviewAsync(day, day, RecalculationScope.Device, "RCS/ac_1", CancellationToken.None));
        Assert.Equal((30m, 0.24m, 0.272m), (preview.EnergyWh, preview.OldCost, preview.NewCost));

        // One reversal (the row the rate starts in) and its two postings; the first row's price did not change.
        Assert.Equal(3, await Job.ApplyAsync("2025-11-25", "2025-11-25", "device", "RCS/ac_1", CancellationToken.None));
        var after = await app.DayAsync("RCS/ac_1", "2025-11-25");
        Assert.Equal((preview.EnergyWh, preview.NewCost), (after.EnergyWh, after.Cost));
        await using var conn = await app.Db.OpenAsync();
        var live = (await conn.QueryAsync<(string Start, decimal Wh, decimal Cost)>("""
            SELECT to_char(period_start AT TIME ZONE 'UTC', 'HH24:MI'), energy_wh, cost FROM ledger_entries l
            WHERE device_key = 'RCS/ac_1' AND kind = 'posting'
              AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.kind = 'reversal' AND r.reverses_id = l.id)
            ORDER BY period_start
            """)).ToList();
        Assert.Equal([("04:30", 10m, 0.08m), ("04:40", 4m, 0.032m), ("04:42", 16m, 0.16m)], live);

        Assert.Equal(0, await Job.ApplyAsync("2025-11-25", "2025-11-25", "device", "RCS/ac_1", CancellationToken.None));
        await app.AssertInvariantsAsync("RCS/ac_1");
    }
}
