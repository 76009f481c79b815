using System.Text.Json;
using AutoVolt.Domain.Aggregation;
using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Time;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ledger;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using NodaTime;

namespace AutoVolt.Infrastructure.Aggregation;

/// <summary>SQL of daily, monthly and quarter-hour aggregates: recomputed from ledger rows, never edited by hand.</summary>
public static class AggregateStore
{
    /// <summary>Length of a quarter-hour aggregate's slot; the timeline reads them for every bucket that is a multiple of it.</summary>
    public const int QuarterHourMinutes = 15;

    private static readonly Duration QuarterHour = Duration.FromMinutes(QuarterHourMinutes);

    /// <summary>Claims up to <paramref name="limit"/> dirty days, recomputes them (daily and quarter-hour aggregates) and their months, commits.</summary>
    public static async Task<IReadOnlyList<(string DeviceKey, LocalDate Date)>> RecomputeDirtyAsync(AutoVoltDatabase db, SiteCalendar calendar, int limit, IClock clock,
        CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var claimed = (await conn.QueryAsync<(string DeviceKey, LocalDate LocalDate)>(new CommandDefinition("""
            DELETE FROM dirty_days WHERE (device_key, local_date) IN (
                SELECT device_key, local_date FROM dirty_days ORDER BY device_key, local_date LIMIT @limit FOR UPDATE SKIP LOCKED)
            RETURNING device_key, local_date
            """, new { limit }, cancellationToken: ct))).ToList();
        var now = clock.GetCurrentInstant();
        var slots = new QuarterHourRows();
        var daily = new DailyRows();
        var days = claimed.Select(c => new DayTotals(calendar, c.LocalDate)).ToArray();
        await LedgerStore.ReadDeviceDayRowsAsync(conn, claimed, (i, row) => days[i].Add(row), ct);
        var keys = claimed.Select(c => c.DeviceKey).Distinct(StringComparer.Ordinal).ToArray();
        var classrooms = (await conn.QueryAsync<(string DeviceKey, string Classroom)>(new CommandDefinition(
            "SELECT device_key, classroom FROM devices WHERE device_key = ANY(@keys)", new { keys }, cancellationToken: ct)))
            .ToDictionary(d => d.DeviceKey, d => d.Classroom, StringComparer.Ordinal);
        for (var i = 0; i < claimed.Count; i++)
        {
            var (deviceKey, date) = claimed[i];
            var classroom = classrooms.GetValueOrDefault(deviceKey) ?? "";
            daily.Add(deviceKey, date, classroom, days[i]);
            slots.Add(deviceKey, date, classroom, days[i]);
        }
        await daily.UpsertAsync(conn, now, ct);
        await slots.ReplaceAsync(conn, claimed, ct);
        foreach (var (deviceKey, month) in claimed.Select(c => (c.DeviceKey, c.LocalDate.ToYearMonth())).Distinct()
                     .OrderBy(m => m.DeviceKey, StringComparer.Ordinal).ThenBy(m => m.Item2))
        {
            await RecomputeMonthAsync(conn, deviceKey, month, now, ct);
        }
        await tx.CommitAsync(ct);
        return claimed;
    }

    /// <summary>
    /// Recomputes a device-month from its daily aggregates, inside the caller's transaction. The device-month's lock is taken
    /// first, so two transactions that changed different days of the same month cannot each write a total missing the
    /// other's days: the second waits, then reads the first one's committed days. Callers take months in (device, month)
    /// order, so they cannot deadlock.
    /// </summary>
    public static async Task RecomputeMonthAsync(NpgsqlConnection conn, string deviceKey, YearMonth month, Instant now, CancellationToken ct)
    {
        var first = month.OnDayOfMonth(1);
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtextextended('month:' || @deviceKey || ':' || @first::text, 0))",
            new { deviceKey, first }, cancellationToken: ct));
        var days = (await conn.QueryAsync<(string Classroom, decimal EnergyWh, decimal High, decimal Medium, decimal Low, decimal Cost, string Currency, decimal OnTime, decimal Held, string Flags, int Count)>(
            new CommandDefinition("""
                SELECT classroom, energy_wh, energy_high_wh, energy_medium_wh, energy_low_wh, cost, currency, on_time_sec, held_energy_wh, flag_counts::text, entry_count
                FROM daily_aggregates WHERE device_key = @deviceKey AND local_date >= @first AND local_date < @next ORDER BY local_date
                """, new { deviceKey, first, next = first.PlusMonths(1) }, cancellationToken: ct))).ToList();
        var flags = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in days)
        {
            foreach (var (k, v) in JsonSerializer.Deserialize<Dictionary<string, int>>(d.Flags) ?? [])
            {
                flags[k] = flags.GetValueOrDefault(k) + v;
            }
        }
        const string sql = """
            INSERT INTO monthly_aggregates (device_key, year, month, classroom, energy_wh, energy_high_wh, energy_medium_wh, energy_low_wh, cost, currency,
                on_time_sec, held_energy_wh, flag_counts, entry_count, updated_at)
            VALUES (@deviceKey, @year, @month, @classroom, @energy, @high, @medium, @low, @cost, @currency, @onTime, @held, @flags::jsonb, @count, @now)
            ON CONFLICT (device_key, year, month) DO UPDATE SET classroom = excluded.classroom, energy_wh = excluded.energy_wh,
                energy_high_wh = excluded.energy_high_wh, energy_medium_wh = excluded.energy_medium_wh, energy_low_wh = excluded.energy_low_wh,
                cost = excluded.cost, currency = excluded.currency, on_time_sec = excluded.on_time_sec, held_energy_wh = excluded.held_energy_wh,
                flag_counts = excluded.flag_counts, entry_count = excluded.entry_count, updated_at = excluded.updated_at
            """;
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            deviceKey,
            year = month.Year,
            month = month.Month,
            classroom = days.Count > 0 ? days[^1].Classroom : "",
            energy = days.Sum(d => d.EnergyWh),
            high = days.Sum(d => d.High),
            medium = days.Sum(d => d.Medium),
            low = days.Sum(d => d.Low),
            cost = days.Sum(d => d.Cost),
            currency = days.Count > 0 ? days[^1].Currency : AutoVolt.Domain.SiteDefaults.Currency,
            onTime = days.Sum(d => d.OnTime),
            held = days.Sum(d => d.Held),
            flags = JsonSerializer.Serialize(flags),
            count = days.Sum(d => d.Count),
            now,
        }, cancellationToken: ct));
    }

    public static async Task RecordRunAsync(AutoVoltDatabase db, string job, Instant started, Instant finished, int items, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO job_runs (job, started_at, finished_at, summary) VALUES (@job, @started, @finished, jsonb_build_object('items', @items))
            ON CONFLICT DO NOTHING
            """, new { job, started, finished, items }, cancellationToken: ct));
    }

    private static string FlagsJson(IReadOnlyDictionary<EntryMarks, int> counts) =>
        JsonSerializer.Serialize(EntryMarksText.All.Where(m => counts.TryGetValue(m.Mark, out var n) && n != 0)
            .ToDictionary(m => m.Name, m => counts[m.Mark]));

    /// <summary>
    /// One claimed device-day, added up row by row as its ledger rows stream in (id order): the daily totals
    /// (<see cref="LedgerTotalsBuilder"/>, the arithmetic of <see cref="AggregationMath.Sum"/>), the currency of the last
    /// row that has one, and the quarter-hour shares: each row (postings, reversals, markers, signed) shared over the
    /// quarter-hours of the local day by <see cref="TimeBuckets.AddShares"/>; a quarter-hour no row touched stays NULL (a
    /// touched one keeps its sum even when zero, so the timeline shows the same values and decimal scales as from the
    /// ledger).
    /// </summary>
    private sealed class DayTotals(SiteCalendar calendar, LocalDate date)
    {
        private Instant _dayStart, _dayEnd;

        public LedgerTotalsBuilder Totals { get; } = new();

        public string? Currency { get; private set; }

        public decimal[]? Energy { get; private set; }

        public decimal[]? Cost { get; private set; }

        public decimal[]? Estimated { get; private set; }

        public bool[]? Touched { get; private set; }

        public void Add(LedgerStore.DayRow row)
        {
            Totals.Add(row.Kind, row.EnergyWh, row.HeldEnergyWh, row.OnTimeSeconds, row.Cost, row.Confidence, row.Marks, row.Priced);
            if (!string.IsNullOrEmpty(row.Currency))
            {
                Currency = row.Currency;
            }
            if (Energy is null)
            {
                (_dayStart, _dayEnd) = (calendar.StartOf(date), calendar.EndOf(date));
                int n = TimeBuckets.StartsOf(calendar, date, QuarterHour).Count;
                (Energy, Cost, Estimated, Touched) = (new decimal[n], new decimal[n], new decimal[n], new bool[n]);
            }
            var (first, last) = TimeBuckets.AddShares(_dayStart, _dayEnd, QuarterHour, row.PeriodStart, row.PeriodEnd, row.EnergyWh, row.Cost,
                row.Confidence == Confidence.Low, Energy, Cost!, Estimated!);
            Touched!.AsSpan(first, last - first + 1).Fill(true);
        }
    }

    /// <summary>
    /// The quarter-hour aggregates of the claimed device-days (see <see cref="DayTotals"/>). One row per device-day with
    /// ledger rows, written with binary COPY; the classroom is the one written on the daily aggregate in the same
    /// transaction.
    /// </summary>
    private sealed class QuarterHourRows
    {
        private readonly List<(string DeviceKey, LocalDate Date, string Classroom, decimal?[] Energy, decimal?[] Cost, decimal?[] Estimated)> _rows = [];

        public void Add(string deviceKey, LocalDate date, string classroom, DayTotals day)
        {
            if (day is not { Energy: { } energy, Cost: { } cost, Estimated: { } estimated, Touched: { } touched })
            {
                return;
            }
            decimal?[] Touched(decimal[] values) => [.. values.Select((v, k) => touched[k] ? v : (decimal?)null)];
            _rows.Add((deviceKey, date, classroom, Touched(energy), Touched(cost), Touched(estimated)));
        }

        public async Task ReplaceAsync(NpgsqlConnection conn, List<(string DeviceKey, LocalDate Date)> claimed, CancellationToken ct)
        {
            if (claimed.Count == 0)
            {
                return;
            }
            await conn.ExecuteAsync(new CommandDefinition("""
                DELETE FROM quarter_hour_aggregates q USING unnest(@devices, @dates) AS c(device_key, local_date)
                WHERE q.local_date = c.local_date AND q.device_key = c.device_key
                """, new { devices = claimed.Select(c => c.DeviceKey).ToArray(), dates = claimed.Select(c => c.Date).ToArray() }, cancellationToken: ct));
            if (_rows.Count == 0)
            {
                return;
            }
            await using var writer = await conn.BeginBinaryImportAsync(
                "COPY quarter_hour_aggregates (local_date, device_key, classroom, energy_wh, cost, estimated_wh) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var r in _rows)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(r.Date, NpgsqlDbType.Date, ct);
                await writer.WriteAsync(r.DeviceKey, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(r.Classroom, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(r.Energy, NpgsqlDbType.Array | NpgsqlDbType.Numeric, ct);
                await writer.WriteAsync(r.Cost, NpgsqlDbType.Array | NpgsqlDbType.Numeric, ct);
                await writer.WriteAsync(r.Estimated, NpgsqlDbType.Array | NpgsqlDbType.Numeric, ct);
            }
            await writer.CompleteAsync(ct);
        }
    }

    /// <summary>The daily aggregates of the claimed device-days, upserted in one statement.</summary>
    private sealed class DailyRows
    {
        private readonly List<(string DeviceKey, LocalDate Date, string Classroom, LedgerTotals Totals, string Currency)> _rows = [];

        public void Add(string deviceKey, LocalDate date, string classroom, DayTotals day) =>
            _rows.Add((deviceKey, date, classroom, day.Totals.Build(), day.Currency ?? AutoVolt.Domain.SiteDefaults.Currency));

        public async Task UpsertAsync(NpgsqlConnection conn, Instant now, CancellationToken ct)
        {
            if (_rows.Count == 0)
            {
                return;
            }
            const string sql = """
                INSERT INTO daily_aggregates (device_key, local_date, classroom, energy_wh, energy_high_wh, energy_medium_wh, energy_low_wh, cost, currency,
                    on_time_sec, held_energy_wh, flag_counts, entry_count, updated_at)
                SELECT k, d, r, e, h, m, l, c, cur, o, held, f::jsonb, n, @now
                FROM unnest(@keys::text[], @dates::date[], @rooms::text[], @energy::numeric[], @high::numeric[], @medium::numeric[], @low::numeric[],
                            @cost::numeric[], @currencies::text[], @onTime::numeric[], @held::numeric[], @flags::text[], @counts::int[])
                     AS u(k, d, r, e, h, m, l, c, cur, o, held, f, n)
                ON CONFLICT (device_key, local_date) DO UPDATE SET classroom = excluded.classroom, energy_wh = excluded.energy_wh,
                    energy_high_wh = excluded.energy_high_wh, energy_medium_wh = excluded.energy_medium_wh, energy_low_wh = excluded.energy_low_wh,
                    cost = excluded.cost, currency = excluded.currency, on_time_sec = excluded.on_time_sec, held_energy_wh = excluded.held_energy_wh,
                    flag_counts = excluded.flag_counts, entry_count = excluded.entry_count, updated_at = excluded.updated_at
                """;
            await conn.ExecuteAsync(new CommandDefinition(sql, new
            {
                keys = _rows.Select(r => r.DeviceKey).ToArray(),
                dates = _rows.Select(r => r.Date).ToArray(),
                rooms = _rows.Select(r => r.Classroom).ToArray(),
                energy = _rows.Select(r => r.Totals.EnergyWh).ToArray(),
                high = _rows.Select(r => r.Totals.EnergyHighWh).ToArray(),
                medium = _rows.Select(r => r.Totals.EnergyMediumWh).ToArray(),
                low = _rows.Select(r => r.Totals.EnergyLowWh).ToArray(),
                cost = _rows.Select(r => r.Totals.Cost).ToArray(),
                currencies = _rows.Select(r => r.Currency).ToArray(),
                onTime = _rows.Select(r => r.Totals.OnTimeSeconds).ToArray(),
                held = _rows.Select(r => r.Totals.HeldEnergyWh).ToArray(),
                flags = _rows.Select(r => FlagsJson(r.Totals.FlagCounts)).ToArray(),
                counts = _rows.Select(r => r.Totals.EntryCount).ToArray(),
                now,
            }, cancellationToken: ct));
        }
    }
}
