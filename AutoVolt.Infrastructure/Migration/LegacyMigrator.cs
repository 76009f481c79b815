using System.Globalization;
using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;
using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ledger;
using Microsoft.Extensions.Options;
using NodaTime;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>
/// Imports the old tracker's exports: maps boards/switches, rebuilds de-duplicated ON intervals, stores them as
/// migrated readings, and accounts them through the same <see cref="LedgerJob"/> and <see cref="AggregationJob"/>
/// as live data; then reconciles per device-day against EnergyConsumption. Idempotent (unique keys everywhere).
/// A dry run (<see cref="DryRunAsync"/>) needs no database: the same Domain accounting runs in memory.
/// </summary>
public sealed class LegacyMigrator(AutoVoltDatabase db, IClock clock, IOptions<SiteOptions> site, IOptions<LedgerOptions> ledgerOptions,
    LedgerJob ledger, AggregationJob aggregation)
{
    /// <summary>Polls for aggregation another worker is doing: up to 600 × 100 ms = 1 min.</summary>
    private const int MaxAggregationWaits = 600;

    private static readonly TimeSpan AggregationWait = TimeSpan.FromMilliseconds(100);

    /// <summary>Reads, maps and re-derives (no I/O but the files).</summary>
    public sealed record Analysis(IReadOnlyList<DeviceMapping> Mappings, IReadOnlyList<LegacySession> Sessions, IReadOnlyList<SyntheticReading> Readings,
        IReadOnlyList<LegacyEnergyDay> EnergyDays, IReadOnlyList<PlannedRate> Rates, LegacyReader.ActivityCounts Rows, SessionBuilder.Counts Events);

    public static async Task<Analysis> AnalyseAsync(LegacyMigrationRequest request, SiteCalendar calendar, Instant now, CancellationToken ct)
    {
        var devices = await LegacyReader.DevicesAsync(request.DevicesPath, ct);
        var settings = request.PowerSettingsPath is null ? LegacyPowerSettings.None : await LegacyReader.PowerSettingsAsync(request.PowerSettingsPath, ct);
        var rowCounts = new LegacyReader.ActivityCounts();
        var activities = await LegacyReader.ActivitiesAsync(request.ActivityLogsPath, rowCounts, now, ct);
        var energy = await LegacyReader.EnergyDaysAsync(request.EnergyPath, calendar, ct);
        var mappings = LegacyNames.Map(devices);
        var counts = new SessionBuilder.Counts();
        var sessions = SessionBuilder.Build(activities, mappings, settings, calendar, counts);
        var readings = SyntheticReading.From(sessions);
        LocalDate? first = sessions.Select(s => calendar.DateOf(s.On)).Concat(energy.Select(e => e.Date)).DefaultIfEmpty().Min();
        if (sessions.Count == 0 && energy.Count == 0)
        {
            first = null;
        }
        var rates = RatePlanner.Plan(energy, activities, settings, request.Rates ?? [], first, calendar);
        return new Analysis(mappings, sessions, readings, energy, rates, rowCounts, counts);
    }

    /// <summary>Prints the mapping and the report from an in-memory derivation (Domain accounting, the planned rates); writes nothing.</summary>
    public static async Task<LegacyMigrationResult> DryRunAsync(LegacyMigrationRequest request, SiteOptions site, LedgerOptions ledgerOptions,
        IClock clock, TextWriter output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(ledgerOptions);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(output);
        var calendar = new SiteCalendar(site.Zone());
        var a = await AnalyseAsync(request, calendar, clock.GetCurrentInstant(), ct);
        PrintAnalysis(a, site.Currency, output);
        var versions = a.Rates.Select((r, i) => new CostVersion(i + 1, r.CostPerKwh, site.Currency, r.From.AtMidnight(), CostScope.Global, null, null, Instant.MinValue));
        var resolver = new CostVersionResolver(versions, calendar.Zone);
        var policy = new DeltaPolicy { MaxGap = Duration.FromMinutes(ledgerOptions.MaxGapMinutes) };
        var days = new Dictionary<(string, LocalDate), (decimal Wh, decimal Cost)>();
        long id = 0;
        foreach (var device in a.Readings.GroupBy(r => r.Device))
        {
            var readings = device.Select(r => new AccountingReading(++id, r.Device.DeviceKey, r.Timestamp, null, null, r.PowerW, r.On, null, null, r.Marks)).ToList();
            var lines = DeviceAccounting.DeriveAndPlan(readings, policy, null, calendar, resolver, device.Key.Classroom, site.Currency);
            foreach (var line in lines)
            {
                var cur = days.GetValueOrDefault((line.DeviceKey, line.LocalDate));
                days[(line.DeviceKey, line.LocalDate)] = (cur.Wh + line.EnergyWh, cur.Cost + line.Cost);
            }
        }
        var report = Reconciliation.Compare(a.Mappings, a.EnergyDays, a.Sessions, days, calendar);
        Reconciliation.Print(report, site.Currency, output);
        output.WriteLine("Dry run: nothing was written.");
        return new LegacyMigrationResult(a.Mappings.Count, a.Sessions.Count, a.Readings.Count, 0, 0, 0, 0, report);
    }

    /// <summary>Imports (or, with <see cref="LegacyMigrationRequest.DryRun"/>, only reports), then prints the reconciliation.</summary>
    public async Task<LegacyMigrationResult> RunAsync(LegacyMigrationRequest request, TextWriter output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.DryRun)
        {
            return await DryRunAsync(request, site.Value, ledgerOptions.Value, clock, output, ct);
        }
        var calendar = new SiteCalendar(site.Value.Zone());
        var now = clock.GetCurrentInstant();
        var a = await AnalyseAsync(request, calendar, now, ct);
        PrintAnalysis(a, site.Value.Currency, output);
        int inserted, created;
        await using (var conn = await db.OpenAsync(ct))
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await LegacyMigrationStore.UpsertRegistryAsync(conn, a.Mappings, a.Sessions, now, ct);
            created = await LegacyMigrationStore.EnsureCostVersionsAsync(conn, a.Rates, calendar.Zone, site.Value.Currency, now, ct);
            inserted = await LegacyMigrationStore.InsertReadingsAsync(conn, a.Readings, ct);
            await LegacyMigrationStore.InsertIntervalsAsync(conn, a.Sessions, now, ct);
            await tx.CommitAsync(ct);
        }
        var appended = await ledger.RunAsync(ct);
        var aggregated = await aggregation.RunAsync(ct);
        var keys = a.Mappings.Select(m => m.DeviceKey).ToList();
        // A running web app's Hangfire worker may hold some of these days (the ledger job also enqueues aggregation):
        // wait until none of the migrated devices' days is dirty, so the report reads committed aggregates.
        for (var attempt = 0; attempt < MaxAggregationWaits; attempt++)
        {
            await using var conn = await db.OpenAsync(ct);
            if (await LegacyMigrationStore.DirtyDaysAsync(conn, keys, ct) == 0)
            {
                break;
            }
            await Task.Delay(AggregationWait, ct);
            aggregated += await aggregation.RunAsync(ct);
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Imported: {inserted} new reading(s) of {a.Readings.Count}, {created} cost version(s) created, {appended} ledger row(s) appended, {aggregated} device-day(s) aggregated."));
        IReadOnlyDictionary<(string, LocalDate), (decimal Wh, decimal Cost)> days;
        await using (var conn = await db.OpenAsync(ct))
        {
            days = await LegacyMigrationStore.DailyAsync(conn, keys, ct);
        }
        var report = Reconciliation.Compare(a.Mappings, a.EnergyDays, a.Sessions, days, calendar);
        Reconciliation.Print(report, site.Value.Currency, output);
        return new LegacyMigrationResult(a.Mappings.Count, a.Sessions.Count, a.Readings.Count, inserted, created, appended, aggregated, report);
    }

    private static void PrintAnalysis(Analysis a, string currency, TextWriter w)
    {
        w.WriteLine("Device mapping (old Device/switch -> AutoVolt esp32_name/device_id):");
        foreach (var m in a.Mappings)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {m.LegacyDeviceId} {m.LegacyDeviceName} / {m.LegacySwitchName} ({m.SwitchType}) -> {m.DeviceKey}  classroom '{m.Classroom}'  mac {m.MacAddress ?? "-"}  rating {(m.PowerRatingW is { } p ? p.ToString("0.###", CultureInfo.InvariantCulture) + " W" : "-")}"));
        }
        var r = a.Rows;
        var e = a.Events;
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ActivityLog: {r.Rows} row(s), {r.PowerRows} with a target state, {r.IgnoredActions} other action(s), {r.Unreadable} unreadable, {r.Future} dated in the future (skipped), {e.UnmappedRows} on unknown switches."));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Dedup: {e.Events} toggle event(s) after merging {e.MergedDuplicates} duplicate row(s) (same switch, same state, within {SessionBuilder.DedupWindow.TotalSeconds:0} s); {e.RedundantOff} redundant OFF(s) ignored; {e.OfflineStops} offline stop(s) not taken as OFF (relays keep loads powered while a board is offline)."));
        var sources = string.Join(", ", a.Sessions.GroupBy(s => s.Source).OrderBy(g => g.Key)
            .Select(g => LegacySession.Text(g.Key) + " " + g.Count().ToString(CultureInfo.InvariantCulture)));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Intervals: {a.Sessions.Count} ({a.Sessions.Count(s => s.Close == CloseRule.OffRow)} closed by OFF, {a.Sessions.Count(s => s.Close == CloseRule.NextEvent)} missing OFF closed at the next ON, {a.Sessions.Count(s => s.Close == CloseRule.EndOfDay)} missing OFF closed at end of day); watts from: {sources}."));
        foreach (var s in a.Sessions.Where(s => s.Close != CloseRule.OffRow))
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  missing OFF: {s.Device.DeviceKey} ON {s.On} closed {s.Off} ({LegacySession.Text(s.Close)}), flagged estimated"));
        }
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"EnergyConsumption: {a.EnergyDays.Count} doc(s) for {a.EnergyDays.Select(d => (d.DeviceId, d.Date)).Distinct().Count()} device-day(s)."));
        foreach (var rate in a.Rates)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Rate: {rate.CostPerKwh} {currency}/kWh from {rate.From:yyyy-MM-dd} 00:00 site time ({rate.Evidence})"));
        }
    }
}
