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
