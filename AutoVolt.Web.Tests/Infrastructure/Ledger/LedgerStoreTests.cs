using AutoVolt.Infrastructure.Ledger;
using AutoVolt.Web.Tests.Support;
using Dapper;
using NodaTime;

namespace AutoVolt.Web.Tests.Infrastructure.Ledger;

/// <summary>
/// <see cref="LedgerStore.LiveRowsAsync"/> finds a device's rows one (local_date, device_key) lookup per day of the window,
/// with the days bounded from UTC dates, not from the site's zone. Rows here carry the local date they would have under the
/// zones at both ends of the world (UTC+14 and UTC−12), as after a change of Site:TimeZone; every window must still return
/// exactly the live rows starting inside it.
/// </summary>
public sealed class LedgerStoreTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    private static readonly Instant T0 = Instant.FromUtc(2025, 11, 10, 0, 0);

    [Fact]
    public async Task LiveRows_RowsDatedUnderTheExtremeZones_EveryWindowReturnsExactlyItsLiveRows()
    {
        const string key = "LSZ1/light_1";
        const string other = "LSZ2/light_1";
        await using var conn = await fixture.Database.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at) VALUES ('LSZ1', 'CR', now(), now()), ('LSZ2', 'CR', now(), now());
            INSERT INTO devices (device_key, esp32_name, device_id, classroom, first_seen_at, last_seen_at)
                VALUES (@key, 'LSZ1', 'light_1', 'CR', now(), now()), (@other, 'LSZ2', 'light_1', 'CR', now(), now());
            """, new { key, other });

        // Hourly rows over three days, starting 23:00 UTC the day before T0's date; each dated as UTC+14 (hours 0–9 of a
        // UTC day belong to the same local date, 10–23 to the next) or UTC−12 (hours 0–11 to the previous local date).
        var rows = new List<(long Id, Instant Start)>();
        for (var h = -1; h < 72; h++)
        {
            var start = T0 + Duration.FromHours(h);
            var utc = start.InUtc();
            var date = (h % 2 == 0)
                ? (utc.Hour >= 10 ? utc.Date.PlusDays(1) : utc.Date)
                : (utc.Hour < 12 ? utc.Date.PlusDays(-1) : utc.Date);
            rows.Add((await InsertRowAsync(conn, key, start, date, "posting", null), start));
            await InsertRowAsync(conn, other, start, utc.Date, "posting", null);
        }
        // One row reversed (its reversal is a negated copy with the same start), so it is not live.
        var reversed = rows[30];
        await InsertRowAsync(conn, key, reversed.Start, await conn.ExecuteScalarAsync<LocalDate>("SELECT local_date FROM ledger_entries WHERE id = @id",
            new { id = reversed.Id }), "reversal", reversed.Id);
        // The device's newest reading: no row starts after it.
        await InsertReadingAsync(conn, key, T0 + Duration.FromHours(71) + Duration.FromMinutes(30));

        (Instant From, Instant? Until)[] windows =
        [
            (T0 - Duration.FromHours(2), null),
            (T0 + Duration.FromHours(9), null),
            (T0 + Duration.FromHours(10) + Duration.FromMinutes(30), null),
            (T0 + Duration.FromHours(47), null),
            (T0 + Duration.FromHours(71), null),
            (T0 + Duration.FromHours(5), T0 + Duration.FromHours(30)),
            (T0 + Duration.FromHours(12), T0 + Duration.FromHours(13)),
            (T0 + Duration.FromHours(30), T0 + Duration.FromHours(31)),
        ];
        foreach (var (from, until) in windows)
        {
            var live = await LedgerStore.LiveRowsAsync(conn, [(key, from, until), (other, T0 + Duration.FromDays(30), null)], CancellationToken.None);
            var expected = rows.Where(r => r.Start >= from && (until is not { } u || r.Start < u) && r.Id != reversed.Id).Select(r => r.Id).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, live[key].Select(r => r.Id).ToList());
            Assert.Empty(live[other]);
        }
    }

    private static Task<long> InsertRowAsync(Npgsql.NpgsqlConnection conn, string key, Instant start, LocalDate date, string kind, long? reverses) =>
        conn.ExecuteScalarAsync<long>("""
            INSERT INTO ledger_entries (device_key, classroom, kind, period_start, period_end, local_date, energy_wh, method, confidence, reverses_id, created_at)
            VALUES (@key, 'CR', @kind, @start, @start + interval '1 hour', @date, CASE WHEN @kind = 'reversal' THEN -5 ELSE 5 END, 'cumulative', 'high',
                    @reverses, now())
            RETURNING id
            """, new { key, kind, start, date, reverses });

    private static Task InsertReadingAsync(Npgsql.NpgsqlConnection conn, string key, Instant at) =>
        conn.ExecuteAsync("""
            INSERT INTO telemetry_events (dedup_hash, device_key, esp32_name, device_id, board_ts, reading_ts, received_at, energy_wh_total, raw_payload)
            VALUES (sha256(convert_to(@key, 'UTF8')), @key, split_part(@key, '/', 1), 'light_1', @at, @at, @at, 100, '\x7b7d')
            """, new { key, at });
}
