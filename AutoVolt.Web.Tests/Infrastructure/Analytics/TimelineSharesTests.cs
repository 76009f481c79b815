using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Time;
using Dapper;
using NodaTime;
using NodaTime.Text;
using static AutoVolt.Web.Tests.Infrastructure.Analytics.AnalyticsFixture;

namespace AutoVolt.Web.Tests.Infrastructure.Analytics;

/// <summary>
/// The timeline's pro-rata path (rows crossing bucket boundaries are shared in C#, rows inside one bucket are summed by
/// PostgreSQL): hand-computed shares with midpoints rounded to even, bucket edges, and a reference model (every row shared
/// on its own with <see cref="TimeBuckets.ProRata"/>) on DST days. Own days (2026) so the fixture's seeded days stay intact.
/// </summary>
public sealed class TimelineSharesTests(AnalyticsFixture app) : IClassFixture<AnalyticsFixture>
{
    private static readonly LocalDate FallBack2026 = Date("2026-11-01"); // 25 h: 04:00Z .. 05:00Z next day

    private static Instant At(string iso) => InstantPattern.ExtendedIso.Parse(iso).Value;

    [Fact]
    public async Task TimelineAsync_RowOverSixQuarterHours_CumulativeSharesWithMidpointsToEven()
    {
        // 1000.000013 Wh low, 05:50–07:10Z = 10/15/15/15/15/10 min over buckets 7..12 (bucket k starts 04:00Z + 15k min).
        // Cumulative energy at the cuts: ×0.125 = 125.000001625 → 125.000002; ×0.3125 = 312.5000040625 → 312.500004;
        // ×0.5 = 500.0000065 → 500.000006 (midpoint, to even); ×0.6875 → 687.500009; ×0.875 = 875.000011375 → 875.000011.
        await app.PostAsync("TS/a", "T-1", "2026-11-01T05:50:00Z", "2026-11-01T07:10:00Z", 1000.000013m, "low");
        // Cost 0.2000000026 (rate 0.2): ×0.3125 = 0.0625000008125 → 0.062500000812 (midpoint, 2 is even);
        // ×0.6875 = 0.1375000017875 → 0.137500001788 (midpoint, 7 is odd).
        await app.PostAsync("TS/b", "T-1", "2026-11-01T06:20:00Z", "2026-11-01T06:25:00Z", 5m);          // inside bucket 9
        await app.PostAsync("TS/b", "T-1", "2026-11-01T06:30:00Z", "2026-11-01T06:30:00Z", 2m, "medium"); // zero length on a boundary: bucket 10
        await app.PostAsync("TS/b", "T-1", "2026-11-01T06:45:00Z", "2026-11-01T07:00:00Z", 3m);          // ends on a boundary: bucket 11 only
        await app.PostAsync("TS/b", "T-1", "2026-11-02T04:50:00Z", "2026-11-02T05:00:00Z", 4m, "low");   // the 25 h day's last bucket (99)
        await app.AggregateAsync();

        var t = await app.Queries.TimelineAsync(null, FallBack2026, FallBack2026, 15);

        Assert.Equal(100, t.Buckets.Count);
        Assert.Equal(At("2026-11-01T05:45:00Z"), t.Buckets[7].Start);
        Assert.Equal(
            [125.000002m, 187.500002m, 187.500002m + 5m, 187.500003m + 2m, 187.500002m + 3m, 125.000002m],
            t.Buckets.Skip(7).Take(6).Select(b => b.EnergyWh).ToArray());
        Assert.Equal([125.000002m, 187.500002m, 187.500002m, 187.500003m, 187.500002m, 125.000002m],
            t.Buckets.Skip(7).Take(6).Select(b => b.EstimatedWh).ToArray());
        Assert.Equal(
            [0.025000000325m, 0.037500000487m, 0.037500000488m + 0.001m, 0.037500000488m + 0.0004m, 0.037500000487m + 0.0006m, 0.025000000325m],
            t.Buckets.Skip(7).Take(6).Select(b => b.Cost).ToArray());
        Assert.Equal((4m, 4m, 0.0008m), (t.Buckets[99].EnergyWh, t.Buckets[99].EstimatedWh, t.Buckets[99].Cost));
        Assert.Equal(0m, t.Buckets.Take(7).Concat(t.Buckets.Skip(13).Take(86)).Sum(b => Math.Abs(b.EnergyWh) + Math.Abs(b.Cost)));
        var summary = await app.Queries.SummaryAsync(null, FallBack2026);
        Assert.Equal((1014.000013m, 0.2028000026m), (summary.EnergyWh, summary.Cost));
        Assert.Equal((summary.EnergyWh, summary.Cost), (t.Buckets.Sum(b => b.EnergyWh), t.Buckets.Sum(b => b.Cost)));
    }

    [Fact]
    public async Task TimelineAsync_RowsOutsideTheirLocalDay_ClampedIntoTheDaySoBucketsStillSumToTheSummary()
    {
        // Rows never cross a local midnight, but the timeline must not lose a row whose local_date disagrees with its
        // period (it clamps it into the day). 2026-06-10 is 04:00Z .. 04:00Z next day; quarter-hour buckets 0..95.
        var day = Date("2026-06-10");
        await OutsideAsync("2026-06-10T03:46:00Z", "2026-06-10T03:59:00Z", 7m);        // before the day, one grid cell: bucket 0
        await OutsideAsync("2026-06-10T03:50:00Z", "2026-06-10T04:20:00Z", 30m);       // 04:00–04:20 after clamping: 15 + 5 min
        await OutsideAsync("2026-06-10T03:00:00Z", "2026-06-10T03:00:00Z", 1m, "low"); // zero length before the day: bucket 0
        await OutsideAsync("2026-06-10T02:00:00Z", "2026-06-10T03:00:00Z", 5m, "low"); // before the day, several grid cells: bucket 0
        await OutsideAsync("2026-06-11T04:05:00Z", "2026-06-11T04:10:00Z", 2m);        // after the day, one grid cell: bucket 95
        await OutsideAsync("2026-06-11T03:55:00Z", "2026-06-11T04:10:00Z", 3m, "low"); // 03:55–04:00 after clamping: bucket 95
        await OutsideAsync("2026-06-11T04:00:00Z", "2026-06-11T04:00:00Z", 4m);        // zero length at the day's end: bucket 95
        await app.AggregateAsync();

        var t = await app.Queries.TimelineAsync(null, day, day, 15);

        Assert.Equal(96, t.Buckets.Count);
        Assert.Equal((35.5m, 6m, 0.0071m), (t.Buckets[0].EnergyWh, t.Buckets[0].EstimatedWh, t.Buckets[0].Cost));
        Assert.Equal((7.5m, 0m, 0.0015m), (t.Buckets[1].EnergyWh, t.Buckets[1].EstimatedWh, t.Buckets[1].Cost));
        Assert.Equal((9m, 3m, 0.0018m), (t.Buckets[95].EnergyWh, t.Buckets[95].EstimatedWh, t.Buckets[95].Cost));
        Assert.Equal(0m, t.Buckets.Skip(2).Take(93).Sum(b => Math.Abs(b.EnergyWh)));
        var summary = await app.Queries.SummaryAsync(null, day);
        Assert.Equal((52m, 0.0104m), (summary.EnergyWh, summary.Cost));
        Assert.Equal((summary.EnergyWh, summary.Cost), (t.Buckets.Sum(b => b.EnergyWh), t.Buckets.Sum(b => b.Cost)));

        async Task OutsideAsync(string start, string end, decimal wh, string confidence = "high")
        {
            await using var conn = await app.Db.OpenAsync();
            await conn.ExecuteAsync("""
                INSERT INTO ledger_entries (device_key, classroom, kind, period_start, period_end, local_date, energy_wh, cost, currency, method, confidence, created_at)
                VALUES ('TO/d', '', 'posting', @ps, @pe, @day, @wh, @wh * 0.2 / 1000, 'USD', 'cumulative', @confidence, now())
                """, new { ps = At(start), pe = At(end), day, wh, confidence });
        }
    }

    [Theory]
    [InlineData(11, "2027-03-14", 90)]  // spring forward: 23 h, 16 buckets, the last one 60 min
    [InlineData(12, "2027-11-07", 15)]  // fall back: 25 h, 100 buckets
    [InlineData(13, "2027-11-07", 90)]  // fall back: 17 buckets, the last one 60 min
    [InlineData(14, "2027-06-01", 5)]
    public async Task TimelineAsync_RandomSpanningRows_EachBucketIsTheSumOfEveryRowsProRataShares(int seed, string day, int minutes)
    {
        var rng = new Random(seed);
        var date = Date(day);
        var (dayStart, dayEnd) = (app.Calendar.StartOf(date), app.Calendar.EndOf(date));
        string room = $"T-{seed}";
        await using (var conn = await app.Db.OpenAsync())
        {
            await conn.ExecuteAsync("""
                INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at) VALUES (@board, @room, now(), now());
                INSERT INTO devices (device_key, esp32_name, device_id, classroom, first_seen_at, last_seen_at)
                SELECT @board || '/d' || i, @board, 'd' || i, @room, now(), now() FROM generate_series(0, 2) i;
                """, new { board = $"TS{seed}", room });
        }
        var rows = new List<(Instant S, Instant E, decimal Wh, decimal Cost, bool Low)>();
        long dayMicros = (dayEnd - dayStart).ToInt64Nanoseconds() / 1000;
        for (int i = 0; i < 40; i++)
        {
            var s = dayStart + Duration.FromNanoseconds(rng.NextInt64(0, dayMicros) * 1000);
            var e = s + Duration.FromNanoseconds(rng.NextInt64(0, Math.Min(dayMicros / 6, (dayEnd - s).ToInt64Nanoseconds() / 1000) + 1) * 1000);
            decimal wh = rng.Next(0, 90_000_000) / 1_000_000m;
            decimal rate = rng.Next(1, 30_000_000) / 1_000_000m;
            bool low = rng.Next(3) == 0;
            string device = $"TS{seed}/d{i % 3}", confidence = low ? "low" : "high";
            long id = await app.InsertAsync(device, room, s, e, wh, confidence, 0, 0m, null, rate, wh * rate / 1000m);
            rows.Add((s, e, wh, wh * rate / 1000m, low));
            if (i % 5 == 0)
            {
                // A reversal: the same interval with negated amounts.
                await app.InsertAsync(device, room, s, e, -wh, confidence, 0, 0m, id, rate, -(wh * rate / 1000m));
                rows.Add((s, e, -wh, -(wh * rate / 1000m), low));
            }
        }
        await app.AggregateAsync();

        var t = await app.Queries.TimelineAsync(room, date, date, minutes);

        var starts = TimeBuckets.StartsOf(app.Calendar, date, Duration.FromMinutes(minutes));
        var (energy, cost, estimated) = (new decimal[starts.Count], new decimal[starts.Count], new decimal[starts.Count]);
        foreach (var r in rows)
        {
            var cuts = CutsOf(r.S, r.E);
            int first = starts.Count(c => c <= r.S) - 1;
            var es = TimeBuckets.ProRata(r.S, r.E, cuts, r.Wh, Quantities.EnergyDecimals);
            var cs = TimeBuckets.ProRata(r.S, r.E, cuts, r.Cost, 12);
            for (int k = 0; k < es.Length; k++)
            {
                (energy[first + k], cost[first + k]) = (energy[first + k] + es[k], cost[first + k] + cs[k]);
                estimated[first + k] += r.Low ? es[k] : 0m;
            }
        }
        Assert.Equal(starts.Count, t.Buckets.Count);
        Assert.Equal(energy, t.Buckets.Select(b => b.EnergyWh).ToArray());
        Assert.Equal(cost, t.Buckets.Select(b => b.Cost).ToArray());
        Assert.Equal(estimated, t.Buckets.Select(b => b.EstimatedWh).ToArray());
        Assert.Contains(rows, r => CutsOf(r.S, r.E).Count >= 2); // the data really has rows over three or more buckets
        var summary = await app.Queries.SummaryAsync(room, date);
        Assert.Equal((summary.EnergyWh, summary.Cost), (t.Buckets.Sum(b => b.EnergyWh), t.Buckets.Sum(b => b.Cost)));
        Assert.Equal((rows.Sum(r => r.Wh), rows.Sum(r => r.Cost)), (summary.EnergyWh, summary.Cost));

        List<Instant> CutsOf(Instant s, Instant e) => starts.Where(c => c > s && c < e).ToList();
    }
}
