using AutoVolt.Infrastructure.Analytics;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using BenchmarkDotNet.Attributes;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace AutoVolt.Bench;

/// <summary>
/// Read side over 1000 devices (100 boards, 20 classrooms): daily aggregates for 365 days (365 000 rows) and ledger rows for the
/// last 31 days, 24 per device-day, each 45 min long starting at :30 so every row crosses an hour boundary (744 000 rows,
/// the worst case for the timeline's pro-rata path), aggregated by the real AggregationJob (daily and quarter-hour aggregates). Site zone Asia/Kolkata.
/// </summary>
[MemoryDiagnoser]
public class AnalyticsBenchmarks
{
    private static readonly LocalDate First = new(2025, 1, 1);
    private static readonly LocalDate Last = new(2025, 12, 31);
    private static readonly LocalDate LedgerFrom = new(2025, 12, 1);

    private EmbeddedPostgres? _pg;
    private AutoVoltDatabase? _db;
    private AnalyticsQueries? _queries;
    private CsvExport? _csv;

    [GlobalSetup]
    public void Setup()
    {
        var root = Environment.GetEnvironmentVariable("AUTOVOLT_BENCH_PG") ?? Path.Combine(Path.GetTempPath(), "autovolt-bench-pg");
        _pg = EmbeddedPostgres.Start(root);
        var cs = _pg.ConnectionStringFor("bench");
        MigrationRunner.Migrate(cs, NullLogger.Instance);
        _db = new AutoVoltDatabase(cs);
        var site = Options.Create(new SiteOptions { TimeZone = "Asia/Kolkata", Currency = "INR" });
        _queries = new AnalyticsQueries(_db, site, SystemClock.Instance);
        _csv = new CsvExport(_db);
        SeedAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _pg?.Stop();
    }

    private async Task SeedAsync()
    {
        await using var conn = await _db!.OpenAsync();
        if (await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM devices") == 1000)
        {
            return;
        }
        await conn.ExecuteAsync("""
            INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at, last_status)
            SELECT 'B' || b, 'R' || (b % 20), now(), now(), CASE WHEN b % 3 = 0 THEN 'offline' ELSE 'online' END FROM generate_series(0, 99) b;
            INSERT INTO devices (device_key, esp32_name, device_id, classroom, first_seen_at, last_seen_at)
            SELECT 'B' || b || '/d' || d, 'B' || b, 'd' || d, 'R' || (b % 20), now(), now() FROM generate_series(0, 99) b, generate_series(0, 9) d;
            INSERT INTO daily_aggregates (device_key, local_date, classroom, energy_wh, energy_high_wh, energy_medium_wh, energy_low_wh, cost, currency,
                on_time_sec, held_energy_wh, flag_counts, entry_count, updated_at)
            SELECT dv.device_key, day::date, dv.classroom, 1200, 1000, 150, 50, 9.6, 'INR', 36000, 0,
                   CASE WHEN random() < 0.1 THEN '{"gap": 1}'::jsonb ELSE '{}'::jsonb END, 24, now()
            FROM devices dv, generate_series('2025-01-01'::date, '2025-12-31'::date, interval '1 day') day;
            INSERT INTO monthly_aggregates (device_key, year, month, classroom, energy_wh, energy_high_wh, energy_medium_wh, energy_low_wh, cost, currency,
                on_time_sec, held_energy_wh, flag_counts, entry_count, updated_at)
            SELECT device_key, extract(year FROM local_date)::int, extract(month FROM local_date)::int, min(classroom), sum(energy_wh), sum(energy_high_wh),
                   sum(energy_medium_wh), sum(energy_low_wh), sum(cost), 'INR', sum(on_time_sec), 0, '{}', sum(entry_count), now()
            FROM daily_aggregates GROUP BY 1, 2, 3;
            INSERT INTO ledger_entries (device_key, classroom, kind, period_start, period_end, local_date, energy_wh, on_time_sec, cost, currency,
                rate_per_kwh, method, confidence, marks, created_at)
            SELECT dv.device_key, dv.classroom, 'posting', s, least(s + interval '45 minutes', ds + interval '1 day'), day::date, 50, 2700, 0.4, 'INR', 8,
                   'cumulative', CASE WHEN h % 7 = 0 THEN 'low' ELSE 'high' END, 0, now()
            FROM devices dv, generate_series('2025-12-01'::date, '2025-12-31'::date, interval '1 day') day,
                 LATERAL (SELECT (day::date::timestamp AT TIME ZONE 'Asia/Kolkata') AS ds) d, generate_series(0, 23) h,
                 LATERAL (SELECT d.ds + make_interval(hours => h, mins => 30) AS s) x;
            INSERT INTO dirty_days (device_key, local_date, marked_at) SELECT DISTINCT device_key, local_date, now() FROM ledger_entries;
            """, commandTimeout: 900);
        // The ledger's days get their daily and quarter-hour aggregates from the real job (same totals as seeded above).
        var site = Options.Create(new SiteOptions { TimeZone = "Asia/Kolkata", Currency = "INR" });
        await new AutoVolt.Infrastructure.Aggregation.AggregationJob(_db, site, SystemClock.Instance, new AutoVolt.Infrastructure.Aggregation.AggregationNotifier())
            .RunAsync(CancellationToken.None);
        await conn.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 900);
    }

    /// <summary>Compares <see cref="AnalyticsQueries.TimelineAsync"/> with <see cref="TimelineBefore"/> bucket by bucket; 0 when equal.</summary>
    public async Task<int> CheckTimelineAgainstBeforeAsync()
    {
        int failures = 0;
        foreach (var (room, from, to, minutes) in new (string?, LocalDate, LocalDate, int)[]
        {
            (null, new LocalDate(2025, 12, 15), new LocalDate(2025, 12, 15), 15), (null, LedgerFrom, Last, 60), ("R7", LedgerFrom, Last, 5),
            (null, new LocalDate(2025, 12, 30), Last, 90), (null, new LocalDate(2025, 12, 1), new LocalDate(2025, 12, 2), 1440),
        })
        {
            var now = await _queries!.TimelineAsync(room, from, to, minutes);
            var before = await TimelineBefore.TimelineAsync(_db!, _queries.Calendar, room, from, to, minutes);
            bool sameValues = now.Buckets.Count == before.Buckets.Count && now.Buckets.Zip(before.Buckets).All(p => p.First.Start == p.Second.Start
                && p.First.EnergyWh == p.Second.EnergyWh && p.First.Cost == p.Second.Cost && p.First.EstimatedWh == p.Second.EstimatedWh);
            bool sameScales = sameValues && now.Buckets.Zip(before.Buckets).All(p => p.First.EnergyWh.Scale == p.Second.EnergyWh.Scale
                && p.First.Cost.Scale == p.Second.Cost.Scale && p.First.EstimatedWh.Scale == p.Second.EstimatedWh.Scale);
            // Buckets of 30 min or more summed from quarter-hours: same values; a row inside such a bucket but crossing a
            // quarter-hour arrives as shares (12-decimal cost), so the decimal scale may be larger than when it was added whole.
            Console.WriteLine($"{room ?? "all"} {from}..{to} /{minutes} min: {now.Buckets.Count} buckets, "
                + (sameScales ? "identical" : sameValues ? "same values (other decimal scale)" : "DIFFERENT"));
            failures += sameValues ? 0 : 1;
        }
        return failures;
    }

    /// <summary>Alternates <see cref="TimelineOneDay15Min"/> and <see cref="TimelineOneDay15MinBefore"/> call by call (after 5 warm-up pairs).</summary>
    public async Task TimelineAbAsync(int calls)
    {
        var (now, before) = (new List<double>(), new List<double>());
        for (int i = -5; i < calls; i++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await TimelineOneDay15Min();
            double a = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            await TimelineOneDay15MinBefore();
            double b = sw.Elapsed.TotalMilliseconds;
            if (i >= 0)
            {
                (now, before) = ([.. now, a], [.. before, b]);
            }
        }
        var (n, o) = (DenseDayBench.Stats(now), DenseDayBench.Stats(before));
        Console.WriteLine(FormattableString.Invariant($"{calls} alternating calls each, load average {File.ReadAllText("/proc/loadavg").Trim()}"));
        Console.WriteLine(FormattableString.Invariant($"TimelineOneDay15Min       mean {n.Mean,7:F1} ms  p50 {n.P50,7:F1}  p95 {n.P95,7:F1}  max {n.Max,7:F1}"));
        Console.WriteLine(FormattableString.Invariant($"TimelineOneDay15MinBefore mean {o.Mean,7:F1} ms  p50 {o.P50,7:F1}  p95 {o.P95,7:F1}  max {o.Max,7:F1}"));
        Console.WriteLine(FormattableString.Invariant($"ratio new/before          mean {n.Mean / o.Mean,7:F2}     p50 {n.P50 / o.P50,7:F2}  p95 {n.P95 / o.P95,7:F2}"));
    }

    [Benchmark]
    public Task<DaySummary> SummaryAllClassrooms() => _queries!.SummaryAsync(null, new LocalDate(2025, 6, 15));

    [Benchmark]
    public Task<DaySummary> SummaryOneClassroom() => _queries!.SummaryAsync("R7", new LocalDate(2025, 6, 15));

    [Benchmark]
    public Task<MonthReport> MonthlyAll() => _queries!.MonthlyAsync(null, 2025, 6);

    [Benchmark]
    public Task<DeviceBreakdown> DeviceBreakdownAll() => _queries!.DeviceBreakdownAsync(null, new LocalDate(2025, 12, 15));

    [Benchmark]
    public Task<Timeline> TimelineOneDay15Min() => _queries!.TimelineAsync(null, new LocalDate(2025, 12, 15), new LocalDate(2025, 12, 15), 15);

    /// <summary>Same-run baseline: the timeline code before the rewrite (<see cref="TimelineBefore"/>), same query.</summary>
    [Benchmark]
    public Task<Timeline> TimelineOneDay15MinBefore() =>
        TimelineBefore.TimelineAsync(_db!, _queries!.Calendar, null, new LocalDate(2025, 12, 15), new LocalDate(2025, 12, 15), 15);

    [Benchmark]
    public Task<Timeline> Timeline31Days60MinAll() => _queries!.TimelineAsync(null, LedgerFrom, Last, 60);

    /// <summary>Same-run baseline of <see cref="Timeline31Days60MinAll"/> (<see cref="TimelineBefore"/>).</summary>
    [Benchmark]
    public Task<Timeline> Timeline31Days60MinAllBefore() => TimelineBefore.TimelineAsync(_db!, _queries!.Calendar, null, LedgerFrom, Last, 60);

    [Benchmark]
    public Task<Timeline> Timeline31Days60MinOneClassroom() => _queries!.TimelineAsync("R7", LedgerFrom, Last, 60);

    /// <summary>Same-run baseline of <see cref="Timeline31Days60MinOneClassroom"/> (<see cref="TimelineBefore"/>).</summary>
    [Benchmark]
    public Task<Timeline> Timeline31Days60MinOneClassroomBefore() => TimelineBefore.TimelineAsync(_db!, _queries!.Calendar, "R7", LedgerFrom, Last, 60);

    [Benchmark]
    public Task<int> CsvYearAllDevices() => _csv!.WriteAsync(Stream.Null, null, First, Last);
}
