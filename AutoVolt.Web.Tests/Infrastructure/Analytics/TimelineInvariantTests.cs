using System.Globalization;
using AutoVolt.Infrastructure.Analytics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace AutoVolt.Web.Tests.Infrastructure.Analytics;

/// <summary>
/// DESIGN.md section 4, invariant 2 over generated ledgers (seeded Random, one isolated year per seed, including both DST
/// days of America/New_York): per local day and classroom filter, the timeline buckets (random bucket size), the summary,
/// the CSV rows, the daily aggregates and the raw ledger rows (postings, reversals) agree exactly on energy and cost.
/// </summary>
public sealed class TimelineInvariantTests(AnalyticsFixture app) : IClassFixture<AnalyticsFixture>
{
    private static readonly int[] Buckets = [5, 10, 15, 30, 60, 90, 120, 1440];
    private static readonly string[] Confidences = ["high", "medium", "low"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task DayTotals_GeneratedLedger_TimelineSummaryCsvAggregateAndLedgerAgreeExactly(int seed)
    {
        var rng = new Random(seed);
        var (rooms, days) = await SeedAsync(seed, rng);
        await app.AggregateAsync();

        var csvRows = await CsvAsync(days.Min(), days.Max());
        foreach (var room in new string?[] { null, rooms[0], rooms[1] })
        {
            foreach (var group in new[] { days[..3], days[3..] })
            {
                int bucket = Buckets[rng.Next(Buckets.Length)];
                var timeline = await app.Queries.TimelineAsync(room, group[0], group[^1], bucket);
                foreach (var day in group)
                {
                    var inDay = timeline.Buckets.Where(b => b.Date == day).ToList();
                    var summary = await app.Queries.SummaryAsync(room, day);
                    var csv = csvRows.Where(r => r.Date == day && (room is null || r.Room == room)).ToList();
                    var (aggEnergy, aggCost, ledgerEnergy, ledgerCost) = await TotalsAsync(day, room, seed);
                    var what = $"seed {seed}, {day}, room {room ?? "all"}, bucket {bucket}";
                    Assert.True(ledgerEnergy == aggEnergy && ledgerCost == aggCost, $"aggregate vs ledger: {what}");
                    Assert.True(summary.EnergyWh == aggEnergy && summary.Cost == aggCost, $"summary: {what}");
                    Assert.True(inDay.Sum(b => b.EnergyWh) == aggEnergy, $"timeline energy {inDay.Sum(b => b.EnergyWh)} vs {aggEnergy}: {what}");
                    Assert.True(inDay.Sum(b => b.Cost) == aggCost, $"timeline cost {inDay.Sum(b => b.Cost)} vs {aggCost}: {what}");
                    Assert.True(csv.Sum(r => r.Energy) == aggEnergy && csv.Sum(r => r.Cost) == aggCost, $"csv: {what}");
                    Assert.Equal((int)((app.Calendar.EndOf(day) - app.Calendar.StartOf(day)).TotalMinutes + bucket - 1) / bucket, inDay.Count);
                }
            }
        }
    }

    /// <summary>
    /// Quarter-hour aggregates: for every bucket that is a multiple of 15 minutes (the sizes read from them), the timeline
    /// equals bucket by bucket the one computed directly from the ledger rows (at 15 minutes also in decimal scale), on
    /// generated ledgers with reversals, zero-length rows and rows crossing many buckets, over both DST days and per
    /// classroom; and after more rows arrive (a late re-derivation) and the days are aggregated again, still equal.
    /// </summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task QuarterHours_GeneratedLedger_TimelineEqualsTheLedgerComputationForEveryMultipleOf15(int seed)
    {
        var rng = new Random(seed);
        var (rooms, days) = await SeedAsync(seed, rng);
        await app.AggregateAsync();
        await AssertSameAsLedgerAsync(rooms, days, seed);

        // More rows land on the same days (a re-derivation: reversals of some rows and fresh postings); aggregate again.
        await using (var conn = await app.Db.OpenAsync())
        {
            var rows = (await conn.QueryAsync<(long Id, string Key, string Room, Instant S, Instant E, decimal Wh, string Conf)>("""
                SELECT id, device_key, classroom, period_start, period_end, energy_wh, confidence FROM ledger_entries p
                WHERE device_key LIKE @prefix AND kind = 'posting' AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = p.id) ORDER BY id
                """, new { prefix = $"PROP{seed}/%" })).ToList();
            foreach (var r in rows.Where(_ => rng.Next(2) == 0))
            {
                await app.InsertAsync(r.Key, r.Room, r.S, r.E, -r.Wh, r.Conf, 0, 0m, r.Id, 0.1m, -r.Wh / 10_000m);
                await app.InsertAsync(r.Key, r.Room, r.S, r.E, r.Wh + 1.5m, r.Conf, 0, 0m, null, 0.1m, (r.Wh + 1.5m) / 10_000m);
            }
        }
        await app.AggregateAsync();
        await AssertSameAsLedgerAsync(rooms, days, seed);
    }

    private async Task AssertSameAsLedgerAsync(string[] rooms, LocalDate[] days, int seed)
    {
        int nonZero = 0;
        foreach (var room in new string?[] { null, rooms[0], rooms[1] })
        {
            foreach (var group in new[] { days[..3], days[3..] })
            {
                foreach (int bucket in new[] { 15, 30, 45, 60, 90, 120, 180, 360, 720, 1440 })
                {
                    var fast = await app.Queries.TimelineAsync(room, group[0], group[^1], bucket);
                    var ledger = await app.Queries.LedgerTimelineAsync(room, group[0], group[^1], bucket);
                    var what = $"seed {seed}, {group[0]}..{group[^1]}, room {room ?? "all"}, bucket {bucket}";
                    Assert.True(fast.Buckets.Count == ledger.Buckets.Count, what);
                    nonZero += fast.Buckets.Count(b => b.EnergyWh != 0m);
                    foreach (var (f, l) in fast.Buckets.Zip(ledger.Buckets))
                    {
                        Assert.True(f.Start == l.Start && f.End == l.End, $"bucket bounds: {what}");
                        Assert.True(f.EnergyWh == l.EnergyWh && f.Cost == l.Cost && f.EstimatedWh == l.EstimatedWh,
                            $"{f.Start}: {f.EnergyWh}/{f.Cost}/{f.EstimatedWh} vs ledger {l.EnergyWh}/{l.Cost}/{l.EstimatedWh}: {what}");
                        if (bucket == 15)
                        {
                            Assert.True(f.EnergyWh.Scale == l.EnergyWh.Scale && f.Cost.Scale == l.Cost.Scale && f.EstimatedWh.Scale == l.EstimatedWh.Scale,
                                $"{f.Start}: scales differ: {what}");
                        }
                    }
                }
            }
        }
        Assert.True(nonZero > 100, $"only {nonZero} non-zero buckets compared");
    }

    private async Task<(string[] Rooms, LocalDate[] Days)> SeedAsync(int seed, Random rng)
    {
        int year = 2030 + seed;
        string[] rooms = [$"P{seed}-a", $"P{seed}-b"];
        var devices = Enumerable.Range(0, 4).Select(i => (Key: $"PROP{seed}/d{i}", Room: rooms[i % 2])).ToList();
        await using (var conn = await app.Db.OpenAsync())
        {
            await conn.ExecuteAsync("INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at) VALUES (@b, @r, now(), now())",
                new { b = $"PROP{seed}", r = rooms[0] });
            foreach (var (key, room) in devices)
            {
                await conn.ExecuteAsync("""
                    INSERT INTO devices (device_key, esp32_name, device_id, classroom, first_seen_at, last_seen_at)
                    VALUES (@key, split_part(@key, '/', 1), split_part(@key, '/', 2), @room, now(), now())
                    """, new { key, room });
            }
        }
        var spring = DstDay(year, 3);
        var fall = DstDay(year, 11);
        LocalDate[] days = [spring.PlusDays(-1), spring, spring.PlusDays(1), fall.PlusDays(-1), fall, fall.PlusDays(1)];
        foreach (var day in days)
        {
            var (start, end) = (app.Calendar.StartOf(day), app.Calendar.EndOf(day));
            long dayNanos = (end - start).ToInt64Nanoseconds();
            foreach (var (key, room) in devices)
            {
                var posted = new List<(long Id, Instant S, Instant E, decimal Wh, decimal Rate, string Conf)>();
                for (int n = rng.Next(0, 7); n > 0; n--)
                {
                    var s = start + Duration.FromNanoseconds(rng.NextInt64(0, dayNanos) / 1000 * 1000);
                    var e = s + Duration.FromNanoseconds(rng.NextInt64(0, (end - s).ToInt64Nanoseconds() + 1) / 1000 * 1000);
                    if (rng.Next(4) == 0)
                    {
                        e = s; // zero-length rows (e.g. reset markers) go to the bucket of their start
                    }
                    decimal wh = rng.Next(0, 50_000_000) / 1_000_000m;
                    decimal rate = rng.Next(0, 30_000_000) / 1_000_000m;
                    var conf = Confidences[rng.Next(3)];
                    var id = await app.InsertAsync(key, room, s, e, wh, conf, 0, 0m, null, rate, wh * rate / 1000m);
                    posted.Add((id, s, e, wh, rate, conf));
                }
                foreach (var p in posted.Where(_ => rng.Next(3) == 0))
                {
                    await app.InsertAsync(key, room, p.S, p.E, -p.Wh, p.Conf, 0, 0m, p.Id, p.Rate, -(p.Wh * p.Rate / 1000m));
                }
            }
        }
        return (rooms, days);
    }

    private LocalDate DstDay(int year, int month)
    {
        for (var d = new LocalDate(year, month, 1); ; d = d.PlusDays(1))
        {
            if (app.Calendar.EndOf(d) - app.Calendar.StartOf(d) != Duration.FromHours(24))
            {
                return d;
            }
        }
    }

    private async Task<(decimal AggEnergy, decimal AggCost, decimal LedgerEnergy, decimal LedgerCost)> TotalsAsync(LocalDate day, string? room, int seed)
    {
        await using var conn = await app.Db.OpenAsync();
        return await conn.QuerySingleAsync<(decimal, decimal, decimal, decimal)>("""
            SELECT (SELECT coalesce(sum(energy_wh), 0) FROM daily_aggregates WHERE local_date = @day AND device_key LIKE @prefix AND (@room::text IS NULL OR classroom = @room)),
                   (SELECT coalesce(sum(cost), 0) FROM daily_aggregates WHERE local_date = @day AND device_key LIKE @prefix AND (@room::text IS NULL OR classroom = @room)),
                   (SELECT coalesce(sum(energy_wh), 0) FROM ledger_entries WHERE local_date = @day AND device_key LIKE @prefix AND (@room::text IS NULL OR classroom = @room)),
                   (SELECT coalesce(sum(cost), 0) FROM ledger_entries WHERE local_date = @day AND device_key LIKE @prefix AND (@room::text IS NULL OR classroom = @room))
            """, new { day, room, prefix = $"PROP{seed}/%" });
    }

    private async Task<List<(LocalDate Date, string Room, decimal Energy, decimal Cost)>> CsvAsync(LocalDate start, LocalDate end)
    {
        using var ms = new MemoryStream();
        await app.Factory.Services.GetRequiredService<CsvExport>().WriteAsync(ms, null, start, end);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(','))
            .Select(c => (AnalyticsFixture.Date(c[0]), c[1], decimal.Parse(c[5], CultureInfo.InvariantCulture), decimal.Parse(c[6], CultureInfo.InvariantCulture)))
            .ToList();
    }
}
