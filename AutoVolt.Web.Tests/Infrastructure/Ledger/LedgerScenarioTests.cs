using System.Globalization;
using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Ledger;
using AutoVolt.Web.Tests.Support;
using Bunit;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AutoVolt.Web.Tests.Infrastructure.Ledger;

/// <summary>
/// End-to-end ledger scenarios: MQTT messages to the embedded broker → ledger job → aggregation job → daily
/// aggregates, with hand-computed totals (site Asia/Kolkata, UTC+05:30, 8 INR/kWh unless stated).
/// Every scenario ends with invariant 2 and "re-running appends nothing".
/// </summary>
public sealed class LedgerScenarioTests(KolkataScenarioApp app) : IClassFixture<KolkataScenarioApp>
{
    private static string Ts(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Status(string board, string status, DateTimeOffset at) =>
        $"{{\"esp32_name\":\"{board}\",\"status\":\"{status}\",\"timestamp\":\"{Ts(at)}\"}}";

    [Fact]
    public async Task BoardOfflineThenOnline_PowerOnlyDevice_GapBridgedAsLowConfidenceEstimate()
    {
        const string key = "SCOFF/fan_1";
        var t0 = new DateTimeOffset(2025, 11, 10, 5, 0, 0, TimeSpan.Zero); // 10:30 IST
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCOFF");
        await board.PublishAsync("autovolt/SCOFF/telemetry", MqttTestClient.Telemetry("SCOFF", "fan_1", t0, null, 60m, 1));
        await board.PublishAsync("autovolt/SCOFF/telemetry", MqttTestClient.Telemetry("SCOFF", "fan_1", t0.AddMinutes(5), null, 60m, 2));
        await board.PublishAsync("autovolt/SCOFF/status", Status("SCOFF", "offline", t0.AddMinutes(7)));
        await board.PublishAsync("autovolt/SCOFF/status", Status("SCOFF", "online", t0.AddMinutes(30)));
        await board.PublishAsync("autovolt/SCOFF/telemetry", MqttTestClient.Telemetry("SCOFF", "fan_1", t0.AddMinutes(35), null, 60m, 3));
        await app.AccountAsync();

        // 60 W × 5 min = 5 Wh measured (medium); 60 W × 30 min = 30 Wh bridged across the offline gap (low).
        var day = await app.DayAsync(key, "2025-11-10");
        Assert.Equal(35m, day.EnergyWh);
        Assert.Equal(5m, day.EnergyMediumWh);
        Assert.Equal(30m, day.EnergyLowWh);
        Assert.Equal(0m, day.EnergyHighWh);
        Assert.Equal(2100m, day.OnTimeSec);
        Assert.Equal(0.28m, day.Cost);
        Assert.Equal(1, day.Flag("gap"));
        Assert.Equal(1, day.Flag("offline"));
        Assert.Equal(1, day.Flag("estimated"));
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task StatusArrivesAfterGapWasAccounted_WindowRederived_OfflineFlagAsIfOnTimeAndEnergyUnchanged()
    {
        const string key = "SCLST/fan_1";
        var t0 = new DateTimeOffset(2025, 11, 10, 6, 0, 0, TimeSpan.Zero); // 11:30 IST
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCLST");
        await board.PublishAsync("autovolt/SCLST/telemetry", MqttTestClient.Telemetry("SCLST", "fan_1", t0, null, 60m, 1));
        await board.PublishAsync("autovolt/SCLST/telemetry", MqttTestClient.Telemetry("SCLST", "fan_1", t0.AddMinutes(5), null, 60m, 2));
        await board.PublishAsync("autovolt/SCLST/telemetry", MqttTestClient.Telemetry("SCLST", "fan_1", t0.AddMinutes(35), null, 60m, 3));
        await app.AccountAsync();
        var before = await app.DayAsync(key, "2025-11-10");
        Assert.Equal(35m, before.EnergyWh);
        Assert.Equal(0, before.Flag("offline"));

        // The board's status messages reach AutoVolt only now (e.g. a broker that queued them), inside the accounted gap.
        await board.PublishAsync("autovolt/SCLST/status", Status("SCLST", "offline", t0.AddMinutes(7)));
        await board.PublishAsync("autovolt/SCLST/status", Status("SCLST", "online", t0.AddMinutes(30)));
        await app.AccountAsync();

        var day = await app.DayAsync(key, "2025-11-10");
        Assert.Equal(35m, day.EnergyWh);
        Assert.Equal(30m, day.EnergyLowWh);
        Assert.Equal(0.28m, day.Cost);
        Assert.Equal(1, day.Flag("offline"));
        Assert.Equal(1, day.Flag("gap"));
        await using (var conn = await app.Db.OpenAsync())
        {
            Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM ledger_revisions WHERE device_key = @key AND reason = 'late status'", new { key }));
        }
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task ReadingsBeforeAnyRate_Unpriced_CountedAndShownAsCostIncompleteOnTheDashboard()
    {
        // The scenario's only rate starts 2025-01-01 local: 2024-12-30 has none.
        const string key = "SCNOR/light_1";
        var t0 = new DateTimeOffset(2024, 12, 30, 5, 0, 0, TimeSpan.Zero);
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCNOR");
        await board.PublishAsync("autovolt/SCNOR/telemetry", MqttTestClient.Telemetry("SCNOR", "light_1", t0, 100m, 40m, 1));
        await board.PublishAsync("autovolt/SCNOR/telemetry", MqttTestClient.Telemetry("SCNOR", "light_1", t0.AddMinutes(30), 120m, 40m, 2));
        await app.AccountAsync();

        var day = await app.DayAsync(key, "2024-12-30");
        Assert.Equal(20m, day.EnergyWh);
        Assert.Equal(0m, day.Cost);
        Assert.Equal(1, day.Flag("unpriced"));
        var queries = app.Factory.Services.GetRequiredService<AutoVolt.Infrastructure.Analytics.AnalyticsQueries>();
        Assert.Equal(1, (await queries.MonthlyAsync(null, 2024, 12)).UnpricedEntries);
        Assert.Equal(0, (await queries.MonthlyAsync(null, 2025, 11)).UnpricedEntries);

        await using var ctx = BunitSetup.Create(app.Db, NodaTime.Instant.FromUtc(2024, 12, 30, 12, 0), AutoVolt.Infrastructure.Auth.Roles.Viewer);
        var cut = ctx.Render<AutoVolt.Web.Components.Pages.Dashboard.Dashboard>();
        cut.WaitForElement("[data-testid=card-today]");
        Assert.Contains("no cost version", cut.Find("[data-testid=unpriced-alert]").TextContent, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("[data-testid=card-today-unpriced]"));
        Assert.Single(cut.FindAll("[data-testid=card-month-unpriced]"));
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task FirmwareReset_CounterDropsWithNewBootId_DeltaIsNewCounterPlacedAfterBoot()
    {
        const string key = "SCRST/plug_1";
        var t0 = new DateTimeOffset(2025, 11, 11, 5, 0, 0, TimeSpan.Zero);
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCRST");
        await board.PublishAsync("autovolt/SCRST/telemetry", MqttTestClient.Telemetry("SCRST", "plug_1", t0, 500m, 100m, 10, bootId: "A", uptime: 86400));
        await board.PublishAsync("autovolt/SCRST/telemetry", MqttTestClient.Telemetry("SCRST", "plug_1", t0.AddMinutes(5), 510m, 100m, 11, bootId: "A", uptime: 86700));
        // Reboot at t0+8 min (uptime 120 s at t0+10): the counter restarted and reads 3 Wh.
        await board.PublishAsync("autovolt/SCRST/telemetry", MqttTestClient.Telemetry("SCRST", "plug_1", t0.AddMinutes(10), 3m, 100m, 1, bootId: "B", uptime: 120));
        await board.PublishAsync("autovolt/SCRST/telemetry", MqttTestClient.Telemetry("SCRST", "plug_1", t0.AddMinutes(15), 8m, 100m, 2, bootId: "B", uptime: 420));
        await app.AccountAsync();

        var day = await app.DayAsync(key, "2025-11-11");
        Assert.Equal(18m, day.EnergyWh); // 10 + 3 + 5
        Assert.Equal(15m, day.EnergyHighWh);
        Assert.Equal(3m, day.EnergyMediumWh);
        Assert.Equal(0.144m, day.Cost);
        await using var conn = await app.Db.OpenAsync();
        var reset = await conn.QuerySingleAsync<(NodaTime.Instant Start, NodaTime.Instant End)>(
            "SELECT period_start, period_end FROM ledger_entries WHERE device_key = @key AND kind = 'posting' AND energy_wh = 3", new { key });
        Assert.Equal(NodaTime.Instant.FromDateTimeOffset(t0.AddMinutes(8)), reset.Start);
        Assert.Equal(NodaTime.Instant.FromDateTimeOffset(t0.AddMinutes(10)), reset.End);
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM ledger_entries WHERE device_key = @key AND kind = 'reset_marker'", new { key }));
        Assert.True(day.Flag("reset") >= 1);
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task LargeGap_CumulativeDeltaKept_MediumConfidence_FlaggedGap()
    {
        const string key = "SCGAP/light_1";
        var t0 = new DateTimeOffset(2025, 11, 12, 5, 0, 0, TimeSpan.Zero);
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCGAP");
        await board.PublishAsync("autovolt/SCGAP/telemetry", MqttTestClient.Telemetry("SCGAP", "light_1", t0, 100m, 40m, 1));
        await board.PublishAsync("autovolt/SCGAP/telemetry", MqttTestClient.Telemetry("SCGAP", "light_1", t0.AddMinutes(5), 104m, 40m, 2));
        await board.PublishAsync("autovolt/SCGAP/telemetry", MqttTestClient.Telemetry("SCGAP", "light_1", t0.AddMinutes(65), 150m, 40m, 3));
        await app.AccountAsync();

        var day = await app.DayAsync(key, "2025-11-12");
        Assert.Equal(50m, day.EnergyWh);
        Assert.Equal(4m, day.EnergyHighWh);
        Assert.Equal(46m, day.EnergyMediumWh);
        Assert.Equal(0m, day.EnergyLowWh);
        Assert.Equal(1, day.Flag("gap"));
        Assert.Equal(0, day.Flag("estimated"));
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task OutOfOrderReadings_PublishedShuffled_SameTotalsAsInOrder()
    {
        var t0 = new DateTimeOffset(2025, 11, 13, 18, 20, 0, TimeSpan.Zero); // 23:50 IST: the series crosses midnight
        (int Minutes, decimal Wh)[] series = [(0, 200m), (5, 203m), (10, 209m), (15, 214m), (20, 220m)];
        await using var ordered = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCORD");
        foreach (var (m, wh) in series)
        {
            await ordered.PublishAsync("autovolt/SCORD/telemetry", MqttTestClient.Telemetry("SCORD", "light_1", t0.AddMinutes(m), wh, 40m, m));
        }
        await using var shuffled = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCSHF");
        foreach (var i in new[] { 3, 0, 4, 1, 2 })
        {
            var (m, wh) = series[i];
            await shuffled.PublishAsync("autovolt/SCSHF/telemetry", MqttTestClient.Telemetry("SCSHF", "light_1", t0.AddMinutes(m), wh, 40m, m));
        }
        await app.AccountAsync();

        // 23:50→00:00 IST: 9 Wh; 00:00→00:10: 11 Wh.
        foreach (var key in new[] { "SCORD/light_1", "SCSHF/light_1" })
        {
            Assert.Equal(9m, (await app.DayAsync(key, "2025-11-13")).EnergyWh);
            Assert.Equal(11m, (await app.DayAsync(key, "2025-11-14")).EnergyWh);
            Assert.Equal(0.088m, (await app.DayAsync(key, "2025-11-14")).Cost);
        }
        await app.AssertInvariantsAsync("SCORD/light_1", "SCSHF/light_1");
    }

    [Fact]
    public async Task OutOfOrderAcrossRuns_LateHalfArrivesAfterAccounting_SameTotals()
    {
        const string key = "SCOR2/light_1";
        var t0 = new DateTimeOffset(2025, 11, 15, 5, 0, 0, TimeSpan.Zero);
        (int Minutes, decimal Wh)[] series = [(0, 10m), (5, 12m), (10, 17m), (15, 19m), (20, 26m), (25, 30m)];
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCOR2");
        foreach (var i in new[] { 0, 2, 5 })
        {
            await board.PublishAsync("autovolt/SCOR2/telemetry", MqttTestClient.Telemetry("SCOR2", "light_1", t0.AddMinutes(series[i].Minutes), series[i].Wh, 40m, series[i].Minutes));
        }
        await app.AccountAsync();
        Assert.Equal(20m, (await app.DayAsync(key, "2025-11-15")).EnergyWh);
        foreach (var i in new[] { 4, 1, 3 })
        {
            await board.PublishAsync("autovolt/SCOR2/telemetry", MqttTestClient.Telemetry("SCOR2", "light_1", t0.AddMinutes(series[i].Minutes), series[i].Wh, 40m, series[i].Minutes));
        }
        await app.AccountAsync();

        var day = await app.DayAsync(key, "2025-11-15");
        Assert.Equal(20m, day.EnergyWh);
        Assert.Equal(20m, day.EnergyHighWh);
        await using var conn = await app.Db.OpenAsync();
        // Live rows: exactly one per consecutive pair (5 intervals of 5 min).
        Assert.Equal(5, await conn.ExecuteScalarAsync<int>("""
            SELECT count(*) FROM ledger_entries l WHERE device_key = @key AND kind = 'posting'
              AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = l.id)
            """, new { key }));
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task DuplicateMessages_CountOnce()
    {
        const string key = "SCDUP/light_1";
        var t0 = new DateTimeOffset(2025, 11, 16, 5, 0, 0, TimeSpan.Zero);
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCDUP");
        (int Minutes, decimal Wh)[] series = [(0, 300m), (5, 306m), (10, 311m)];
        foreach (var (m, wh) in series.Concat(series).Append(series[1]))
        {
            await board.PublishAsync("autovolt/SCDUP/telemetry", MqttTestClient.Telemetry("SCDUP", "light_1", t0.AddMinutes(m), wh, 40m, m));
        }
        await app.AccountAsync();
        // A duplicate arriving after accounting changes nothing either.
        await board.PublishAsync("autovolt/SCDUP/telemetry", MqttTestClient.Telemetry("SCDUP", "light_1", t0, 300m, 40m, 0));
        await app.AccountAsync();

        Assert.Equal(11m, (await app.DayAsync(key, "2025-11-16")).EnergyWh);
        await using var conn = await app.Db.OpenAsync();
        Assert.Equal(3, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM telemetry_events WHERE device_key = @key", new { key }));
        Assert.Equal(2, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM ledger_entries WHERE device_key = @key", new { key }));
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task SessionAcrossLocalMidnight_PowerOnly_SplitProRataIntoTwoDays()
    {
        const string key = "SCMID/fan_1";
        var t0 = new DateTimeOffset(2025, 11, 17, 18, 22, 0, TimeSpan.Zero); // 23:52 IST
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCMID");
        for (var i = 0; i < 4; i++)
        {
            await board.PublishAsync("autovolt/SCMID/telemetry", MqttTestClient.Telemetry("SCMID", "fan_1", t0.AddMinutes(5 * i), null, 60m, i + 1));
        }
        await board.PublishAsync("autovolt/SCMID/telemetry", MqttTestClient.Telemetry("SCMID", "fan_1", t0.AddMinutes(20), null, 0m, 5, on: false));
        await app.AccountAsync();

        // 23:52→23:57 5 Wh, 23:57→00:02 split 3 + 2 Wh, 00:02→00:12 10 Wh.
        var day1 = await app.DayAsync(key, "2025-11-17");
        var day2 = await app.DayAsync(key, "2025-11-18");
        Assert.Equal(8m, day1.EnergyWh);
        Assert.Equal(480m, day1.OnTimeSec);
        Assert.Equal(12m, day2.EnergyWh);
        Assert.Equal(720m, day2.OnTimeSec);
        Assert.Equal(0.096m, day2.Cost);
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task RateChangeMidDay_EnergySplitAtEachChange_CostIsSumOfEnergyTimesRate()
    {
        // The only scenario on or after 2025-12-20: the new global rates touch no other scenario.
        await app.AddRateAsync(10m, "2025-12-20T12:00");
        await app.AddRateAsync(12m, "2025-12-20T14:00");
        const string key = "SCRATE/ac_1";
        var t0 = new DateTimeOffset(2025, 12, 20, 6, 25, 0, TimeSpan.Zero); // 11:55 IST
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCRATE");
        (int Minutes, decimal Wh)[] series = [(0, 1000m), (10, 1010m), (120, 1120m), (130, 1130m)];
        foreach (var (m, wh) in series)
        {
            await board.PublishAsync("autovolt/SCRATE/telemetry", MqttTestClient.Telemetry("SCRATE", "ac_1", t0.AddMinutes(m), wh, 100m, m));
        }
        await app.AccountAsync();

        // 5 Wh × 8 + 5 Wh × 10 + 110 Wh × 10 + 5 Wh × 10 + 5 Wh × 12, per 1000.
        var day = await app.DayAsync(key, "2025-12-20");
        Assert.Equal(130m, day.EnergyWh);
        Assert.Equal(1.30m, day.Cost);
        await using var conn = await app.Db.OpenAsync();
        var rates = (await conn.QueryAsync<(decimal Rate, decimal Energy)>(
            "SELECT rate_per_kwh, sum(energy_wh) FROM ledger_entries WHERE device_key = @key GROUP BY rate_per_kwh ORDER BY 1", new { key })).ToList();
        Assert.Equal(new[] { (8m, 5m), (10m, 120m), (12m, 5m) }, rates);
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task LateReading_InsideAGap_RederivesWindow_GapFlagAndConfidenceChange()
    {
        const string key = "SCLATE/light_1";
        var t0 = new DateTimeOffset(2025, 11, 19, 5, 0, 0, TimeSpan.Zero);
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCLATE");
        await board.PublishAsync("autovolt/SCLATE/telemetry", MqttTestClient.Telemetry("SCLATE", "light_1", t0, 400m, 40m, 1));
        await board.PublishAsync("autovolt/SCLATE/telemetry", MqttTestClient.Telemetry("SCLATE", "light_1", t0.AddMinutes(20), 420m, 40m, 3));
        await app.AccountAsync();
        var before = await app.DayAsync(key, "2025-11-19");
        Assert.Equal(20m, before.EnergyMediumWh);
        Assert.Equal(1, before.Flag("gap"));

        await board.PublishAsync("autovolt/SCLATE/telemetry", MqttTestClient.Telemetry("SCLATE", "light_1", t0.AddMinutes(10), 408m, 40m, 2));
        await app.AccountAsync();

        var day = await app.DayAsync(key, "2025-11-19");
        Assert.Equal(20m, day.EnergyWh);
        Assert.Equal(20m, day.EnergyHighWh);
        Assert.Equal(0m, day.EnergyMediumWh);
        Assert.Equal(0, day.Flag("gap"));
        await using var conn = await app.Db.OpenAsync();
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM ledger_entries WHERE device_key = @key AND kind = 'reversal'", new { key }));
        Assert.Equal("late reading", await conn.ExecuteScalarAsync<string>("SELECT reason FROM ledger_revisions WHERE device_key = @key", new { key }));
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task TwoJobServersConcurrently_SameTotalsAsOneRun_NoDuplicateRows()
    {
        var t0 = new DateTimeOffset(2025, 11, 20, 5, 0, 0, TimeSpan.Zero);
        var keys = new List<string>();
        for (var b = 0; b < 4; b++)
        {
            var name = $"SCCON{b}";
            await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, name);
            for (var i = 0; i <= 6; i++)
            {
                await board.PublishAsync($"autovolt/{name}/telemetry", MqttTestClient.Telemetry(name, "light_1", t0.AddMinutes(5 * i), 100m + (i * (b + 1)), 40m, i));
            }
            keys.Add($"{name}/light_1");
        }
        using (var s1 = app.Factory.Services.CreateScope())
        using (var s2 = app.Factory.Services.CreateScope())
        {
            var j1 = s1.ServiceProvider.GetRequiredService<LedgerJob>();
            var j2 = s2.ServiceProvider.GetRequiredService<LedgerJob>();
            await Task.WhenAll(Task.Run(() => j1.RunAsync(CancellationToken.None)), Task.Run(() => j2.RunAsync(CancellationToken.None)));
            var a1 = s1.ServiceProvider.GetRequiredService<AggregationJob>();
            var a2 = s2.ServiceProvider.GetRequiredService<AggregationJob>();
            await Task.WhenAll(Task.Run(() => a1.RunAsync(CancellationToken.None)), Task.Run(() => a2.RunAsync(CancellationToken.None)));
        }

        await using var conn = await app.Db.OpenAsync();
        for (var b = 0; b < 4; b++)
        {
            // 6 intervals of (b + 1) Wh each.
            Assert.Equal(6m * (b + 1), (await app.DayAsync(keys[b], "2025-11-20")).EnergyWh);
            Assert.Equal(6, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM ledger_entries WHERE device_key = @key", new { key = keys[b] }));
        }
        await app.AssertInvariantsAsync([.. keys]);
    }

    [Fact]
    public async Task TwoAppInstancesOnOneDatabase_LedgerJobsInParallel_SameTotals_NoDuplicateRows()
    {
        var t0 = new DateTimeOffset(2025, 11, 23, 5, 0, 0, TimeSpan.Zero);
        var keys = new List<string>();
        for (var b = 0; b < 3; b++)
        {
            var name = $"SCTWO{b}";
            await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, name);
            for (var i = 0; i <= 4; i++)
            {
                await board.PublishAsync($"autovolt/{name}/telemetry", MqttTestClient.Telemetry(name, "light_1", t0.AddMinutes(5 * i), 50m + (i * 2 * (b + 1)), 40m, i));
            }
            keys.Add($"{name}/light_1");
        }
        await using var second = new AutoVoltAppFactory(app.Factory.ConnectionString).With("Site:TimeZone", "Asia/Kolkata");
        _ = second.Server;
        await Task.WhenAll(
            Task.Run(() => app.Factory.Services.GetRequiredService<LedgerJob>().RunAsync(CancellationToken.None)),
            Task.Run(() => second.Services.GetRequiredService<LedgerJob>().RunAsync(CancellationToken.None)),
            Task.Run(() => second.Services.GetRequiredService<LedgerJob>().RunAsync(CancellationToken.None)));
        await Task.WhenAll(
            Task.Run(() => app.Factory.Services.GetRequiredService<AggregationJob>().RunAsync(CancellationToken.None)),
            Task.Run(() => second.Services.GetRequiredService<AggregationJob>().RunAsync(CancellationToken.None)));

        await using var conn = await app.Db.OpenAsync();
        for (var b = 0; b < 3; b++)
        {
            // 4 intervals of 2 × (b + 1) Wh.
            Assert.Equal(8m * (b + 1), (await app.DayAsync(keys[b], "2025-11-23")).EnergyWh);
            Assert.Equal(4, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM ledger_entries WHERE device_key = @key", new { key = keys[b] }));
        }
        await app.AssertInvariantsAsync([.. keys]);
    }

    [Fact]
    public async Task PowerOutage_OfflineThenRebootWithRelaysOff_HoldStopsAtBootTime()
    {
        const string key = "SCPWR/fan_1";
        var t0 = new DateTimeOffset(2025, 11, 24, 5, 0, 0, TimeSpan.Zero);
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCPWR");
        await board.PublishAsync("autovolt/SCPWR/telemetry", MqttTestClient.Telemetry("SCPWR", "fan_1", t0, null, 60m, 1, bootId: "A"));
        await board.PublishAsync("autovolt/SCPWR/telemetry", MqttTestClient.Telemetry("SCPWR", "fan_1", t0.AddMinutes(5), null, 60m, 2, bootId: "A"));
        await board.PublishAsync("autovolt/SCPWR/status", Status("SCPWR", "offline", t0.AddMinutes(7)));
        // Power came back at t0+30 (uptime 600 s at t0+40); relays start OFF.
        await board.PublishAsync("autovolt/SCPWR/telemetry", MqttTestClient.Telemetry("SCPWR", "fan_1", t0.AddMinutes(40), null, 0m, 1, on: false, bootId: "B", uptime: 600));
        await app.AccountAsync();

        // 5 Wh measured; 60 W held from t0+5 to the boot at t0+30 = 25 Wh estimated; nothing after the boot.
        var day = await app.DayAsync(key, "2025-11-24");
        Assert.Equal(30m, day.EnergyWh);
        Assert.Equal(5m, day.EnergyMediumWh);
        Assert.Equal(25m, day.EnergyLowWh);
        Assert.Equal(1800m, day.OnTimeSec);
        Assert.True(day.Flag("offline") >= 1);
        Assert.True(day.Flag("reboot") >= 1);
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task LateReadingBeforeTheFirstAccounted_ExtendsTheHistoryBackwards()
    {
        const string key = "SCFIRST/light_1";
        var t0 = new DateTimeOffset(2025, 11, 26, 5, 0, 0, TimeSpan.Zero);
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCFIRST");
        (int Minutes, decimal Wh)[] series = [(10, 110m), (15, 115m), (20, 120m)];
        foreach (var (m, wh) in series)
        {
            await board.PublishAsync("autovolt/SCFIRST/telemetry", MqttTestClient.Telemetry("SCFIRST", "light_1", t0.AddMinutes(m), wh, 40m, m));
        }
        await app.AccountAsync();
        Assert.Equal(10m, (await app.DayAsync(key, "2025-11-26")).EnergyWh);

        await board.PublishAsync("autovolt/SCFIRST/telemetry", MqttTestClient.Telemetry("SCFIRST", "light_1", t0, 100m, 40m, 0));
        await app.AccountAsync();

        var day = await app.DayAsync(key, "2025-11-26");
        Assert.Equal(20m, day.EnergyWh);
        Assert.Equal(20m, day.EnergyHighWh);
        await app.AssertInvariantsAsync(key);
    }
}

/// <summary>A site in America/New_York across both 2025 DST changes (23 h and 25 h local days), 8 USD/kWh.</summary>
public sealed class LedgerDstScenarioTests(NewYorkScenarioApp app) : IClassFixture<NewYorkScenarioApp>
{
    private async Task PublishSteadyAsync(string board, DateTimeOffset from, int intervals)
    {
        await using var client = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, board + "-" + from.Month.ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i <= intervals; i++)
        {
            // 60 W constant: 10 Wh per 10 min.
            await client.PublishAsync($"autovolt/{board}/telemetry",
                MqttTestClient.Telemetry(board, "heater_1", from.AddMinutes(10 * i), 1000m + (10m * i), 60m, i, classroom: "NY-1", uptime: 100000 + (600 * i)));
        }
    }

    [Fact]
    public async Task SpringForward_LocalDayOf23Hours_GetsExactly23HoursOfEnergy()
    {
        const string key = "NYDST1/heater_1";
        // 2025-03-08 23:00 EST (04:00Z) to 2025-03-10 01:00 EDT (05:00Z): 25 h of readings.
        await PublishSteadyAsync("NYDST1", new DateTimeOffset(2025, 3, 9, 4, 0, 0, TimeSpan.Zero), 150);
        await app.AccountAsync();

        Assert.Equal(60m, (await app.DayAsync(key, "2025-03-08")).EnergyWh);
        var day = await app.DayAsync(key, "2025-03-09");
        Assert.Equal(1380m, day.EnergyWh);
        Assert.Equal(82800m, day.OnTimeSec);
        Assert.Equal(11.04m, day.Cost);
        Assert.Equal("USD", day.Currency);
        Assert.Equal(60m, (await app.DayAsync(key, "2025-03-10")).EnergyWh);
        await app.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task FallBack_LocalDayOf25Hours_GetsExactly25HoursOfEnergy()
    {
        const string key = "NYDST2/heater_1";
        // 2025-11-01 23:00 EDT (03:00Z) to 2025-11-03 01:00 EST (06:00Z): 27 h of readings.
        await PublishSteadyAsync("NYDST2", new DateTimeOffset(2025, 11, 2, 3, 0, 0, TimeSpan.Zero), 162);
        await app.AccountAsync();

        Assert.Equal(60m, (await app.DayAsync(key, "2025-11-01")).EnergyWh);
        var day = await app.DayAsync(key, "2025-11-02");
        Assert.Equal(1500m, day.EnergyWh);
        Assert.Equal(90000m, day.OnTimeSec);
        Assert.Equal(12.00m, day.Cost);
        Assert.Equal(60m, (await app.DayAsync(key, "2025-11-03")).EnergyWh);
        await using var conn = await app.Db.OpenAsync();
        Assert.Equal(1500m, await conn.ExecuteScalarAsync<decimal>(
            "SELECT sum(energy_wh) FROM ledger_entries WHERE device_key = @key AND local_date = '2025-11-02'", new { key }));
        await app.AssertInvariantsAsync(key);
    }
}
