using System.Diagnostics;
using System.Globalization;
using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Analytics;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace AutoVolt.Bench;

/// <summary>
/// The one-day timeline at the firmware's density: 1 000 devices (100 boards, 50 classrooms), each with one ledger row per
/// 60-second reading over one local day (1 441 rows per device, 1.44 M rows; each device's readings offset by a few seconds
/// so about one row in 15 crosses a quarter-hour). Aggregates them with the real AggregationJob (timed: 1 000 dirty
/// device-days), checks that the quarter-hour timeline equals the ledger one bucket by bucket, then alternates the two call
/// by call: <see cref="AnalyticsQueries.TimelineAsync"/> (quarter-hour aggregates) against
/// <see cref="AnalyticsQueries.LedgerTimelineAsync"/> (the same buckets computed from the ledger rows, the code before),
/// for all classrooms and for one.
/// </summary>
public static class DenseDayBench
{
    private static readonly LocalDate Day = new(2025, 12, 15);

    public static async Task<int> RunAsync(int calls)
    {
        var root = Environment.GetEnvironmentVariable("AUTOVOLT_BENCH_PG") ?? Path.Combine(Path.GetTempPath(), "autovolt-bench-pg");
        var pg = EmbeddedPostgres.Start(root);
        try
        {
            var cs = pg.ConnectionStringFor("bench_dense");
            MigrationRunner.Migrate(cs, NullLogger.Instance);
            await using var db = new AutoVoltDatabase(cs);
            var site = Options.Create(new SiteOptions { TimeZone = "Asia/Kolkata", Currency = "INR" });
            var queries = new AnalyticsQueries(db, site, SystemClock.Instance);
            var rows = await SeedAsync(db);

            // Aggregate the whole day of every device (what happens when the fleet's day is dirty, e.g. after a recalculation).
            await using (var conn = await db.OpenAsync())
            {
                await conn.ExecuteAsync("INSERT INTO dirty_days (device_key, local_date, marked_at) SELECT device_key, @Day, now() FROM devices ON CONFLICT DO NOTHING",
                    new { Day });
            }
            var sw = Stopwatch.StartNew();
            int days = await new AggregationJob(db, site, SystemClock.Instance, new AggregationNotifier()).RunAsync(CancellationToken.None);
            sw.Stop();
            await using (var conn = await db.OpenAsync())
            {
                await conn.ExecuteAsync("VACUUM ANALYZE quarter_hour_aggregates");
                await conn.ExecuteAsync("VACUUM ANALYZE daily_aggregates");
            }
            var aggregation = sw.Elapsed;
            // Same-run baseline: only reading those rows, 200 device-days per query as the job claims them (LedgerStore.ReadDeviceDayRowsAsync).
            sw.Restart();
            await using (var conn = await db.OpenAsync())
            {
                var all = (await conn.QueryAsync<string>("SELECT device_key FROM devices ORDER BY device_key")).Select(d => (d, Day)).ToList();
                foreach (var chunk in all.Chunk(200))
                {
                    await AutoVolt.Infrastructure.Ledger.LedgerStore.ReadDeviceDayRowsAsync(conn, chunk, (_, _) => { }, CancellationToken.None);
                }
            }
            sw.Stop();
            Console.WriteLine(FormattableString.Invariant(
                $"ledger rows {rows:N0}; AggregationJob: {days} device-days in {aggregation.TotalSeconds:F1} s ({rows / aggregation.TotalSeconds:N0} ledger rows/s); reading the same rows alone {sw.Elapsed.TotalSeconds:F1} s; ratio {aggregation / sw.Elapsed:F2}"));

            int failures = 0;
            foreach (var (room, minutes) in new (string?, int)[] { (null, 15), ("R7", 15), (null, 60), (null, 1440) })
            {
                var fast = await queries.TimelineAsync(room, Day, Day, minutes);
                var ledger = await queries.LedgerTimelineAsync(room, Day, Day, minutes);
                bool same = fast.Buckets.Count == ledger.Buckets.Count && fast.Buckets.Zip(ledger.Buckets).All(p => p.First.Start == p.Second.Start
                    && p.First.EnergyWh == p.Second.EnergyWh && p.First.Cost == p.Second.Cost && p.First.EstimatedWh == p.Second.EstimatedWh);
                Console.WriteLine(FormattableString.Invariant(
                    $"check {room ?? "all"} /{minutes} min: {fast.Buckets.Count} buckets, {fast.Buckets.Sum(b => b.EnergyWh):N3} Wh, {(same ? "identical to the ledger computation" : "DIFFERENT")}"));
                failures += same ? 0 : 1;
            }

            foreach (var room in new string?[] { null, "R7" })
            {
                var (q, l) = (new List<double>(), new List<double>());
                for (int i = -5; i < calls; i++)
                {
                    sw.Restart();
                    await queries.TimelineAsync(room, Day, Day, 15);
                    double a = sw.Elapsed.TotalMilliseconds;
                    sw.Restart();
                    await queries.LedgerTimelineAsync(room, Day, Day, 15);
                    double b = sw.Elapsed.TotalMilliseconds;
                    if (i >= 0)
                    {
                        q.Add(a);
                        l.Add(b);
                    }
                }
                var (n, o) = (Stats(q), Stats(l));
                string who = room is null ? "all classrooms" : $"classroom {room}";
                Console.WriteLine(FormattableString.Invariant($"one day /15 min, {who}, {calls} alternating calls each, load {File.ReadAllText("/proc/loadavg").Trim()}"));
                Console.WriteLine(FormattableString.Invariant($"  quarter-hour aggregates  mean {n.Mean,7:F1} ms  p50 {n.P50,7:F1}  p95 {n.P95,7:F1}  max {n.Max,7:F1}"));
                Console.WriteLine(FormattableString.Invariant($"  ledger rows (before)     mean {o.Mean,7:F1} ms  p50 {o.P50,7:F1}  p95 {o.P95,7:F1}  max {o.Max,7:F1}"));
                Console.WriteLine(FormattableString.Invariant($"  ratio quarter-hour/ledger mean {n.Mean / o.Mean,6:F3}     p50 {n.P50 / o.P50,6:F3}  p95 {n.P95 / o.P95,6:F3}"));
            }
            return failures;
        }
        finally
        {
            pg.Stop();
        }
    }

    private static async Task<long> SeedAsync(AutoVoltDatabase db)
    {
        await using var conn = await db.OpenAsync();
        var existing = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_entries WHERE local_date = @Day", new { Day });
        if (existing > 0)
        {
            return existing;
        }
        var sw = Stopwatch.StartNew();
        // Device n reads every 60 s starting (n mod 60) s after local midnight; the first row of the day runs from midnight to
        // its first reading, the last one is cut at the next midnight. 0.1–1.1 Wh per minute; one device in 7 estimated (low).
        await conn.ExecuteAsync("""
            INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at, last_status)
            SELECT 'B' || b, 'R' || (b % 50), now(), now(), 'online' FROM generate_series(0, 99) b;
            INSERT INTO devices (device_key, esp32_name, device_id, classroom, first_seen_at, last_seen_at)
            SELECT 'B' || b || '/d' || d, 'B' || b, 'd' || d, 'R' || (b % 50), now(), now() FROM generate_series(0, 99) b, generate_series(0, 9) d;
            INSERT INTO ledger_entries (device_key, classroom, kind, period_start, period_end, local_date, energy_wh, on_time_sec, cost, currency,
                rate_per_kwh, method, confidence, marks, created_at)
            SELECT dv.device_key, dv.classroom, 'posting', s, e, @Day, wh, extract(epoch FROM e - s), round(wh * 8 / 1000, 10), 'INR', 8, 'cumulative',
                   CASE WHEN dv.n % 7 = 0 THEN 'low' ELSE 'high' END, 0, now()
            FROM (SELECT device_key, classroom, row_number() OVER (ORDER BY device_key) AS n FROM devices) dv,
                 LATERAL (SELECT (@Day::date::timestamp AT TIME ZONE 'Asia/Kolkata') AS ds) d, generate_series(0, 1440) k,
                 LATERAL (SELECT CASE WHEN k = 0 THEN d.ds ELSE d.ds + make_interval(secs => (dv.n % 60) + (k - 1) * 60) END AS s,
                                 least(d.ds + make_interval(secs => (dv.n % 60) + k * 60), d.ds + interval '1 day') AS e) x,
                 LATERAL (SELECT round((0.1 + ((dv.n * 31 + k * 17) % 100) / 100.0)::numeric * extract(epoch FROM x.e - x.s) / 60, 6) AS wh) w
            WHERE x.e > x.s;
            ANALYZE;
            """, new { Day }, commandTimeout: 1800);
        var n = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_entries WHERE local_date = @Day", new { Day });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {n:N0} ledger rows in {sw.Elapsed.TotalSeconds:F0} s"));
        return n;
    }

    /// <summary>Mean, p50, p95 and max of per-call latencies.</summary>
    internal static (double Mean, double P50, double P95, double Max) Stats(List<double> xs)
    {
        var sorted = xs.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return (sorted.Average(), At(0.5), At(0.95), sorted[^1]);
    }
}
