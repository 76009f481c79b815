using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Migration;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace AutoVolt.Web.Tests.Infrastructure.Migration;

public sealed class LegacyMigrationFixture : IAsyncLifetime
{
    public AutoVoltAppFactory Factory { get; } = new AutoVoltAppFactory().With("Site:TimeZone", "Asia/Kolkata");

    public AutoVoltDatabase Db => Factory.Services.GetRequiredService<AutoVoltDatabase>();

    public LegacyMigrationResult First { get; private set; } = null!;

    public string FirstOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _ = Factory.Server;
        (First, FirstOutput) = await RunAsync(dryRun: false);
    }

    public async Task<(LegacyMigrationResult, string)> RunAsync(bool dryRun)
    {
        using var scope = Factory.Services.CreateScope();
        var output = new StringWriter();
        var result = await scope.ServiceProvider.GetRequiredService<LegacyMigrator>().RunAsync(LegacyFixtures.Request(dryRun), output, CancellationToken.None);
        return (result, output.ToString());
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

public sealed class LegacyMigratorTests(LegacyMigrationFixture app) : IClassFixture<LegacyMigrationFixture>
{
    private const string Light1 = LegacyFixtures.Board1 + "/light_1";
    private const string Fan1 = LegacyFixtures.Board1 + "/fan_1";
    private const string Light2 = LegacyFixtures.Board1 + "/light_2";
    private const string Projector = LegacyFixtures.Board2 + "/projector_1";

    private async Task<(decimal Energy, decimal Cost, decimal Low)> DayAsync(string deviceKey, string date)
    {
        await using var conn = await app.Db.OpenAsync();
        return await conn.QuerySingleOrDefaultAsync<(decimal, decimal, decimal)>(
            "SELECT energy_wh, cost, energy_low_wh FROM daily_aggregates WHERE device_key = @deviceKey AND local_date = @date::date", new { deviceKey, date });
    }

    [Theory]
    [InlineData(Light1, "2025-10-30", 60, 0.42)]      // 40 W × 1.5 h, quadruple rows counted once, 7.0 INR/kWh
    [InlineData(Fan1, "2025-10-31", 60, 0.42)]        // powerRating 60 W × 1 h
    [InlineData(Light1, "2025-11-01", 40, 0.30)]      // 23:00–24:00 IST × 40 W, 7.5 from 11-01
    [InlineData(Light1, "2025-11-02", 40, 0.30)]      // 00:00–01:00 IST
    [InlineData(Light2, "2025-11-02", 320, 2.40)]     // 7 h (missing OFF closed at next ON) + 1 h, × 40 W from power settings
    [InlineData(Projector, "2025-11-03", 1200, 9.00)] // 6 h to the end of the IST day × 200 W
    [InlineData(Projector, "2025-11-04", 100, 0.75)]  // 0.5 h × 200 W, duplicate tracker row counted once
    public async Task Import_Fixtures_DeviceDayEnergyAndCostInDailyAggregates(string deviceKey, string date, decimal wh, decimal cost)
    {
        var day = await DayAsync(deviceKey, date);
        Assert.Equal(wh, day.Energy);
        Assert.Equal(cost, day.Cost);
    }

    [Fact]
    public async Task Import_Fixtures_MigratedEnergyIsLowConfidenceAndMarkedMigrated()
    {
        Assert.Equal(60m, (await DayAsync(Light1, "2025-10-30")).Low);
        await using var conn = await app.Db.OpenAsync();
        var marks = await conn.QueryAsync<int>("SELECT DISTINCT marks FROM ledger_entries WHERE device_key LIKE 'LH_D_28_MCA_1%' AND energy_wh > 0");
        Assert.All(marks, m => Assert.True((m & (int)AutoVolt.Domain.Ledger.EntryMarks.Migrated) != 0));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM telemetry_events WHERE device_key LIKE 'LH_D_28_MCA_1%' AND source <> 'migrated'"));
    }

    [Fact]
    public async Task Import_Fixtures_MapsBoardsDevicesAndNormalisesMac()
    {
        await using var conn = await app.Db.OpenAsync();
        var map = (await conn.QueryAsync<(string LegacySwitchId, string DeviceKey, string Classroom, string? MacAddress)>(
            "SELECT legacy_switch_id, device_key, classroom, mac_address FROM legacy_device_map ORDER BY legacy_switch_id")).ToList();
        Assert.Equal(
            [
                ("6710aa0000000000000000a1", Light1, "MCA", "aa:bb:cc:dd:ee:01"),
                ("6710aa0000000000000000a2", Fan1, "MCA", "aa:bb:cc:dd:ee:01"),
                ("6710aa0000000000000000a3", Light2, "MCA", "aa:bb:cc:dd:ee:01"),
                ("6710aa0000000000000000b1", Projector, "Computer Lab", "aa:bb:cc:dd:ee:02"),
            ], map);
        var intervals = (await conn.QueryAsync<(string DeviceKey, string WattsSource, string CloseRule, int LegacyRows)>(
            "SELECT device_key, watts_source, close_rule, legacy_rows FROM legacy_intervals ORDER BY on_at")).ToList();
        Assert.Equal(
            [
                (Light1, "row", "off_row", 7),
                (Fan1, "power_rating", "off_row", 2),
                (Light1, "row", "off_row", 2),
                (Light2, "power_settings", "next_event", 1),
                (Light2, "power_settings", "off_row", 2),
                (Projector, "power_settings", "end_of_day", 1),
                (Projector, "row", "off_row", 3),          // 200 W recorded on its OFF rows
            ], intervals);
    }

    [Fact]
    public async Task Import_Fixtures_CostVersionsFromTheDataWithTheirEffectiveDates()
    {
        await using var conn = await app.Db.OpenAsync();
        var versions = (await conn.QueryAsync<(decimal Rate, LocalDateTime From, Instant At)>(
            "SELECT cost_per_kwh, effective_from, effective_at FROM cost_versions ORDER BY effective_from")).ToList();
        Assert.Equal(2, versions.Count);
        Assert.Equal((7.0m, new LocalDateTime(2025, 10, 30, 0, 0), Instant.FromUtc(2025, 10, 29, 18, 30)), versions[0]);
        Assert.Equal((7.5m, new LocalDateTime(2025, 11, 1, 0, 0), Instant.FromUtc(2025, 10, 31, 18, 30)), versions[1]);
    }

    [Fact]
    public async Task Import_SecondRun_AddsNothing()
    {
        await using var conn = await app.Db.OpenAsync();
        const string counts = "SELECT (SELECT count(*) FROM telemetry_events) || '/' || (SELECT count(*) FROM ledger_entries) || '/' || (SELECT count(*) FROM cost_versions) || '/' || (SELECT count(*) FROM legacy_device_map) || '/' || (SELECT count(*) FROM legacy_intervals)";
        var before = await conn.ExecuteScalarAsync<string>(counts);
        var (second, output) = await app.RunAsync(dryRun: false);
        Assert.Equal(0, second.ReadingsInserted);
        Assert.Equal(0, second.LedgerRowsAppended);
        Assert.Equal(0, second.CostVersionsCreated);
        Assert.Equal(before, await conn.ExecuteScalarAsync<string>(counts));
        Assert.Equal(app.First.Days, second.Days);
        Assert.Contains("Imported: 0 new reading(s) of 14", output);
    }

    [Fact]
    public async Task Import_Fixtures_DeviceSecretNeitherPrintedNorStored()
    {
        Assert.DoesNotContain("secret", app.FirstOutput, StringComparison.OrdinalIgnoreCase);
        await using var conn = await app.Db.OpenAsync();
        var hits = await conn.ExecuteScalarAsync<int>("""
            SELECT (SELECT count(*) FROM legacy_device_map t WHERE t::text ILIKE '%secret%')
                 + (SELECT count(*) FROM devices t WHERE t::text ILIKE '%secret%')
                 + (SELECT count(*) FROM boards t WHERE t::text ILIKE '%secret%')
                 + (SELECT count(*) FROM legacy_intervals t WHERE t::text ILIKE '%secret%')
                 + (SELECT count(*) FROM cost_versions t WHERE t::text ILIKE '%secret%')
                 + (SELECT count(*) FROM telemetry_events t WHERE convert_from(raw_payload, 'UTF8') ILIKE '%secret%')
            """);
        Assert.Equal(0, hits);
    }

    [Fact]
    public void Import_Fixtures_ReportExplainsEachDay()
    {
        var days = app.First.Days.Select(d => (d.Board, d.Date.ToString("yyyy-MM-dd", null), d.OldWh, d.NewWh, d.Verdict)).ToList();
        Assert.Equal(
            [
                (LegacyFixtures.Board1, "2025-10-30", 60m, 60m, ReconciliationLine.Match),
                (LegacyFixtures.Board1, "2025-10-31", 0m, 60m, ReconciliationLine.Explained),
                (LegacyFixtures.Board1, "2025-11-01", 80m, 40m, ReconciliationLine.Explained),
                (LegacyFixtures.Board1, "2025-11-02", 0m, 360m, ReconciliationLine.Explained),
                (LegacyFixtures.Board2, "2025-11-03", 0m, 1200m, ReconciliationLine.Explained),
                (LegacyFixtures.Board2, "2025-11-04", 200m, 100m, ReconciliationLine.Explained),
                (LegacyFixtures.Board2, "2025-11-05", 500m, 0m, ReconciliationLine.Unexplained),
            ], days);
        var text = app.FirstOutput;
        Assert.Contains("2025-10-30 LH_D_28_MCA_1", text);
        Assert.Contains("(4 docs summed)", text);
        Assert.Matches(@"2025-10-31 LH_D_28_MCA_1 .*differs: sessions the old system lost \(1 interval", text);
        Assert.Matches(@"2025-11-01 LH_D_28_MCA_1 .*differs: midnight split", text);
        Assert.Matches(@"2025-11-02 LH_D_28_MCA_1 .*differs: midnight split .*; sessions the old system lost \(2 interval", text);
        Assert.Matches(@"2025-11-04 LH_D_28_MCA_1_2 .*differs: duplicate rows", text);
        Assert.Matches(@"2025-11-05 LH_D_28_MCA_1_2 .*unexplained", text);
        Assert.Contains("days: 1 match, 5 differ (explained), 1 unexplained", text);
        Assert.Contains("Dedup: 13 toggle event(s) after merging 6 duplicate row(s)", text);
        Assert.Contains("1 redundant OFF(s) ignored", text);
        Assert.Contains("ActivityLog: 23 row(s), 20 with a target state, 3 other action(s), 0 unreadable, 0 dated in the future (skipped), 1 on unknown switches.", text);
        Assert.Contains("LH_D_28_(MCA_1) / Light 1 (light) -> LH_D_28_MCA_1/light_1", text);
        Assert.Contains("LH_D_28_[MCA_1] / Projector (projector) -> LH_D_28_MCA_1_2/projector_1", text);
    }

    [Fact]
    public async Task DryRun_SameReportAsTheImport()
    {
        var (dry, output) = await app.RunAsync(dryRun: true);
        Assert.Equal(app.First.Days, dry.Days);
        Assert.Contains("Dry run: nothing was written.", output);
    }
}

public sealed class LegacyDryRunTests : IAsyncLifetime
{
    private readonly AutoVoltAppFactory _factory = new AutoVoltAppFactory().With("Site:TimeZone", "Asia/Kolkata");

    public Task InitializeAsync()
    {
        _ = _factory.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task DryRun_Fixtures_WritesNothingAndPrintsMappingAndReport()
    {
        var output = new StringWriter();
        using (var scope = _factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<LegacyMigrator>().RunAsync(LegacyFixtures.Request(dryRun: true), output, CancellationToken.None);
        }
        await using var conn = await _factory.Services.GetRequiredService<AutoVoltDatabase>().OpenAsync();
        var written = await conn.ExecuteScalarAsync<long>("""
            SELECT (SELECT count(*) FROM telemetry_events) + (SELECT count(*) FROM ledger_entries) + (SELECT count(*) FROM cost_versions)
                 + (SELECT count(*) FROM legacy_device_map) + (SELECT count(*) FROM legacy_intervals) + (SELECT count(*) FROM devices)
                 + (SELECT count(*) FROM boards) + (SELECT count(*) FROM daily_aggregates)
            """);
        Assert.Equal(0, written);
        var text = output.ToString();
        Assert.Contains("-> LH_D_28_MCA_1/light_1", text);
        Assert.Contains("Rate: 7.5 INR/kWh from 2025-11-01", text);
        Assert.Contains("days: 1 match, 5 differ (explained), 1 unexplained", text);
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
    }
}
