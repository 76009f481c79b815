using AutoVolt.Domain.Ledger;
using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace AutoVolt.Web.Tests.Web.Pages;

/// <summary>
/// A migrated database with hand-made ledger rows (Asia/Kolkata, INR at 8/kWh) aggregated by the real
/// <see cref="AggregationJob"/>, one telemetry event (so pages are past the "no readings" state) and two review tickets.
/// ESPA/light_1:
/// 2025-11-20: 300 Wh high + 50 Wh low (gap, estimated) · 2025-11-05: 1500 Wh high.
/// 2025-10: 02 → 1000 Wh, 03 → 1500, 04 → 2000, 05 → 2000.5, 06 → 400, 15 → 1200 (all high; 01 and the rest 0).
/// </summary>
public sealed class SeededPagesFixture : IAsyncLifetime
{
    public const decimal Rate = 8m;

    public AutoVoltDatabase Db { get; private set; } = null!;

    public long HeldTicketId { get; private set; }

    public long GapTicketId { get; private set; }

    public async Task InitializeAsync()
    {
        Db = new AutoVoltDatabase(TestPostgres.CreateMigratedDatabase("pages"));
        await using (var conn = await Db.OpenAsync())
        {
            await conn.ExecuteAsync("""
                INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at, last_status) VALUES ('ESPA', 'A-101', '2025-01-01Z', '2025-11-20T06:00Z', 'online');
                INSERT INTO devices (device_key, esp32_name, device_id, classroom, first_seen_at, last_seen_at)
                    VALUES ('ESPA/light_1', 'ESPA', 'light_1', 'A-101', '2025-01-01Z', '2025-11-20T06:00Z');
                INSERT INTO telemetry_events (dedup_hash, device_key, esp32_name, device_id, board_ts, reading_ts, received_at, power_w, raw_payload)
                    VALUES (decode(repeat('ab', 32), 'hex'), 'ESPA/light_1', 'ESPA', 'light_1', '2025-11-20T05:30Z', '2025-11-20T05:30Z', '2025-11-20T05:30Z', 40, '\x7b7d');
                """);
            HeldTicketId = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO review_tickets (kind, device_key, local_date, anomaly_key, status, created_at)
                VALUES ('held_delta', 'ESPA/light_1', '2025-11-19', 'held:1', 'open', '2025-11-19T10:00Z') RETURNING id
                """);
            GapTicketId = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO review_tickets (kind, device_key, local_date, anomaly_key, status, created_at)
                VALUES ('gap', 'ESPA/light_1', '2025-11-18', 'gap:1', 'open', '2025-11-18T10:00Z') RETURNING id
                """);
        }
        await PostAsync(new LocalDate(2025, 11, 20), 300m, "high", 0);
        await PostAsync(new LocalDate(2025, 11, 20), 50m, "low", (int)(EntryMarks.Gap | EntryMarks.Estimated), hour: 5);
        await PostAsync(new LocalDate(2025, 11, 5), 1500m);
        foreach (var (day, wh) in new[] { (2, 1000m), (3, 1500m), (4, 2000m), (5, 2000.5m), (6, 400m), (15, 1200m) })
        {
            await PostAsync(new LocalDate(2025, 10, day), wh);
        }
        await using (var conn = await Db.OpenAsync())
        {
            await conn.ExecuteAsync("INSERT INTO dirty_days (device_key, local_date, marked_at) SELECT DISTINCT device_key, local_date, now() FROM ledger_entries ON CONFLICT DO NOTHING");
        }
        await new AggregationJob(Db, Options.Create(new SiteOptions()), new FakeClock(BunitSetup.DefaultNow), new AggregationNotifier()).RunAsync(CancellationToken.None);
    }

    /// <summary>One posting of <paramref name="wh"/> for an hour starting 04:00Z (09:30 IST, same local date).</summary>
    private async Task PostAsync(LocalDate date, decimal wh, string confidence = "high", int marks = 0, int hour = 4)
    {
        var start = date.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant() + Duration.FromHours(hour);
        await using var conn = await Db.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO ledger_entries (device_key, classroom, kind, period_start, period_end, local_date, energy_wh, on_time_sec, cost, currency,
                rate_per_kwh, method, confidence, marks, created_at)
            VALUES ('ESPA/light_1', 'A-101', 'posting', @start, @end, @date, @wh, 1800, @cost, 'INR', @rate, 'cumulative', @confidence, @marks, now())
            """, new { start, end = start + Duration.FromHours(1), date, wh, cost = wh * Rate / 1000m, rate = Rate, confidence, marks });
    }

    public async Task DisposeAsync() => await Db.DisposeAsync();
}
