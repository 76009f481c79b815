using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace AutoVolt.Web.Tests.Infrastructure.Aggregation;

/// <summary>
/// AggregationJob claims dirty device-days in chunks that run side by side (and several runs may overlap). Chunks end in
/// the middle of device-months, so two transactions often change different days of the same month at the same time; the
/// monthly total must still be the sum of all its days.
/// </summary>
public sealed class AggregationJobTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    private const int Devices = 24;

    [Fact]
    public async Task ParallelClaimsAndOverlappingRuns_EveryMonthlyTotalIsTheSumOfItsDaysAndOfTheLedger()
    {
        await using var conn = await fixture.Database.OpenAsync();
        // One posting per device and local day of November 2025 (Asia/Kolkata), energy = device + day/10 Wh, cost = energy × 8/1000.
        await conn.ExecuteAsync("""
            INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at) SELECT 'AGM' || i, 'CR', now(), now() FROM generate_series(1, @devices) i;
            INSERT INTO devices (device_key, esp32_name, device_id, classroom, first_seen_at, last_seen_at)
                SELECT 'AGM' || i || '/light_1', 'AGM' || i, 'light_1', 'CR', now(), now() FROM generate_series(1, @devices) i;
            INSERT INTO ledger_entries (device_key, classroom, kind, period_start, period_end, local_date, energy_wh, cost, currency, method, confidence, created_at)
                SELECT 'AGM' || i || '/light_1', 'CR', 'posting', '2025-11-01T04:00Z'::timestamptz + (d - 1) * interval '1 day',
                       '2025-11-01T05:00Z'::timestamptz + (d - 1) * interval '1 day', DATE '2025-11-01' + (d - 1), i + d / 10.0, (i + d / 10.0) * 0.008, 'INR',
                       'cumulative', 'high', now()
                FROM generate_series(1, @devices) i CROSS JOIN generate_series(1, 30) d;
            """, new { devices = Devices });
        var job = new AggregationJob(fixture.Database, Options.Create(new SiteOptions()), new FakeClock(Instant.FromUtc(2025, 12, 1, 0, 0)), new AggregationNotifier());

        for (var round = 0; round < 3; round++)
        {
            await conn.ExecuteAsync("""
                INSERT INTO dirty_days (device_key, local_date, marked_at) SELECT DISTINCT device_key, local_date, now() FROM ledger_entries
                ON CONFLICT DO NOTHING
                """);
            // Round 0: one run (its claim loops in parallel); then two runs at once.
            var runs = await Task.WhenAll(Enumerable.Range(0, round == 0 ? 1 : 2).Select(_ => Task.Run(() => job.RunAsync(CancellationToken.None))));
            Assert.Equal(Devices * 30, runs.Sum());

            var months = (await conn.QueryAsync<(string Key, decimal Monthly, decimal Daily, decimal Ledger, decimal Cost, decimal DailyCost, int Count)>("""
                SELECT m.device_key, m.energy_wh,
                       (SELECT sum(energy_wh) FROM daily_aggregates d WHERE d.device_key = m.device_key AND d.local_date BETWEEN '2025-11-01' AND '2025-11-30'),
                       (SELECT sum(energy_wh) FROM ledger_entries l WHERE l.device_key = m.device_key),
                       m.cost,
                       (SELECT sum(cost) FROM daily_aggregates d WHERE d.device_key = m.device_key AND d.local_date BETWEEN '2025-11-01' AND '2025-11-30'),
                       m.entry_count
                FROM monthly_aggregates m WHERE m.year = 2025 AND m.month = 11 AND m.device_key LIKE 'AGM%'
                ORDER BY m.device_key
                """)).ToList();
            Assert.Equal(Devices, months.Count);
            Assert.All(months, m =>
            {
                Assert.Equal(m.Ledger, m.Daily);
                Assert.Equal(m.Daily, m.Monthly);
                Assert.Equal(m.DailyCost, m.Cost);
                Assert.Equal(30, m.Count);
            });
        }
    }
}
