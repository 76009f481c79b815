using System.Globalization;
using System.Text.Json;
using AutoVolt.Domain.Time;
using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace AutoVolt.Infrastructure.Analytics;

/// <summary>
/// The one read side of the analytics (API, pages and CSV use it, so they cannot disagree). Day and month totals
/// come from the aggregates; the timeline from the ledger rows (signed, reversals included), shared pro rata by time
/// over buckets so that a day's buckets sum exactly to its aggregate (DESIGN.md section 4, invariant 2): for buckets
/// that are multiples of 15 minutes through the quarter-hour aggregates AggregationJob keeps beside the daily ones
/// (same arithmetic, same values, one row per device-quarter-hour instead of one per reading), otherwise directly.
/// </summary>
/// <remarks>
/// <para>Classroom: null = all. The classroom of a device-day is the one stored on its daily aggregate (the device's
/// classroom when the day was last aggregated); the timeline filters ledger rows (and quarter-hours) by that same classroom so a
/// classroom's buckets and cards agree even after a device moves.</para>
/// <para>Currency of a total: the currency carrying the largest absolute cost (the site currency when there is none).
/// Mixed currencies are not converted.</para>
/// </remarks>
public sealed class AnalyticsQueries(AutoVoltDatabase db, IOptions<SiteOptions> site, IClock clock)
{
    /// <summary>Largest range of local dates (inclusive) for the CSV export.</summary>
    public const int MaxRangeDays = 366;

    /// <summary>Largest range of local dates (inclusive) for the timeline.</summary>
    public const int MaxTimelineDays = 31;

    /// <summary>Smallest bucket; a bucket must also divide 1440.</summary>
    public const int MinBucketMinutes = 5;

    /// <summary>Local days checked by the health consistency count.</summary>
    public const int ConsistencyWindowDays = 7;

    /// <summary>Decimals of a bucket's share of a row's cost (energy uses 6).</summary>
    public const int CostShareDecimals = TimeBuckets.CostShareDecimals;

    // The timeline's ledger rows per local day of the range (unclamped period, grid buckets t0/t1 of start and end), for all
    // classrooms or for the device-days whose daily aggregate is in @classroom; then single-bucket rows summed per bucket
    // and the others one by one (see TimelineAsync).
    private const string TimelineDays = """
        WITH days AS (
            SELECT * FROM unnest(@dates, @dayStarts, @dayEnds, @counts) AS d(local_date, day_start, day_end, n)),
        b AS NOT MATERIALIZED (
            SELECT d.local_date - @start AS day, d.day_start, d.n, le.energy_wh, le.cost, le.confidence = 'low' AS low,
                   le.period_start, le.period_end, date_bin(@bucket, le.period_start, d.day_start) AS t0,
                   date_bin(@bucket, greatest(le.period_end - interval '1 microsecond', le.period_start), d.day_start) AS t1

        """;

    private const string TimelineBuckets = """

        SELECT day, least(greatest(extract(epoch FROM t0 - day_start) / @bucketSeconds, 0), n - 1)::int AS b,
               sum(energy_wh) AS energy_wh, sum(cost) AS cost, sum(CASE WHEN low THEN energy_wh ELSE 0 END) AS low_wh,
               NULL::timestamptz AS s, NULL::timestamptz AS e, false AS low
        FROM b WHERE t0 = t1 GROUP BY day, day_start, n, t0
        UNION ALL
        SELECT day, -1, energy_wh, cost, NULL, period_start, period_end, low
        FROM b WHERE t0 <> t1
        """;

    private const string TimelineAllSql = TimelineDays + """
                FROM ledger_entries le JOIN days d ON d.local_date = le.local_date
                WHERE le.local_date >= @start AND le.local_date <= @end)
        """ + TimelineBuckets;

    private const string TimelineClassroomSql = TimelineDays + """
                FROM days d JOIN daily_aggregates da ON da.local_date = d.local_date AND da.classroom = @classroom
                JOIN ledger_entries le ON le.local_date = da.local_date AND le.device_key = da.device_key
                WHERE da.local_date >= @start AND da.local_date <= @end AND le.local_date >= @start AND le.local_date <= @end)
        """ + TimelineBuckets;

    private readonly SiteCalendar _calendar = new(site.Value.Zone());
    private readonly string _currency = site.Value.Currency;

    public SiteCalendar Calendar => _calendar;

    /// <summary>Today's local date in the site zone.</summary>
    public LocalDate Today() => _calendar.DateOf(clock.GetCurrentInstant());

    /// <summary>True when <paramref name="bucketMinutes"/> is at least <see cref="MinBucketMinutes"/> and divides 1440.</summary>
    public static bool IsValidBucket(int bucketMinutes) => bucketMinutes >= MinBucketMinutes && bucketMinutes <= 1440 && 1440 % bucketMinutes == 0;

    public async Task<DaySummary> SummaryAsync(string? classroom, LocalDate date, CancellationToken ct = default)
    {
        const string sql = """
            SELECT count(*)::int AS devices, coalesce(sum(energy_wh), 0) AS energy_wh, coalesce(sum(energy_high_wh), 0) AS high,
                   coalesce(sum(energy_medium_wh), 0) AS medium, coalesce(sum(energy_low_wh), 0) AS low, coalesce(sum(cost), 0) AS cost,
                   coalesce(sum(on_time_sec), 0) AS on_time, coalesce(sum(held_energy_wh), 0) AS held,
                   (SELECT c.currency FROM daily_aggregates c WHERE c.local_date = @date AND (@classroom::text IS NULL OR c.classroom = @classroom)
                    GROUP BY c.currency ORDER BY sum(abs(c.cost)) DESC, c.currency LIMIT 1) AS currency
            FROM daily_aggregates WHERE local_date = @date AND (@classroom::text IS NULL OR classroom = @classroom)
            """;
        const string flagsSql = """
            SELECT f.key, sum(f.value::int)::int FROM daily_aggregates da CROSS JOIN LATERAL jsonb_each_text(da.flag_counts) AS f(key, value)
            WHERE da.local_date = @date AND (@classroom::text IS NULL OR da.classroom = @classroom) GROUP BY f.key ORDER BY f.key
            """;
        await using var conn = await db.OpenAsync(ct);
        var args = new { classroom, date };
        var t = await conn.QuerySingleAsync<TotalsRow>(new CommandDefinition(sql, args, cancellationToken: ct));
        var flags = (await conn.QueryAsync<(string Key, int Count)>(new CommandDefinition(flagsSql, args, cancellationToken: ct)))
            .Where(f => f.Count != 0).ToDictionary(f => f.Key, f => f.Count, StringComparer.Ordinal);
        return new DaySummary(classroom, date, t.EnergyWh, t.Cost, t.Currency ?? _currency, t.OnTime,
            new EnergyByConfidence(t.High, t.Medium, t.Low), t.Held, t.Devices, Quality(t.EnergyWh, t.Medium, t.Low, flags));
    }

    /// <summary>
    /// Energy, cost and estimated energy per bucket of the local days [<paramref name="start"/>, <paramref name="end"/>].
    /// A bucket that is a multiple of 15 minutes is read from the quarter-hour aggregates (AggregationJob keeps them with
    /// the daily aggregates, so the timeline and the cards always show the same state); any other from the ledger rows
    /// (<see cref="LedgerTimelineAsync"/>). Both give exactly the same values: see <see cref="TimeBuckets.AddShares"/>.
    /// </summary>
    public Task<Timeline> TimelineAsync(string? classroom, LocalDate start, LocalDate end, int bucketMinutes, CancellationToken ct = default)
    {
        var grid = Grid(start, end, bucketMinutes);
        return bucketMinutes % AggregateStore.QuarterHourMinutes == 0 ? FromQuarterHoursAsync(classroom, grid, ct) : FromLedgerAsync(classroom, grid, ct);
    }

    /// <summary>The timeline computed directly from the ledger rows, whatever the bucket (also the reference the quarter-hour path is checked against).</summary>
    public Task<Timeline> LedgerTimelineAsync(string? classroom, LocalDate start, LocalDate end, int bucketMinutes, CancellationToken ct = default) =>
        FromLedgerAsync(classroom, Grid(start, end, bucketMinutes), ct);

    private TimelineGrid Grid(LocalDate start, LocalDate end, int bucketMinutes)
    {
        CheckRange(start, end, MaxTimelineDays);
        if (!IsValidBucket(bucketMinutes))
        {
            throw new ArgumentOutOfRangeException(nameof(bucketMinutes), bucketMinutes, "The bucket must be at least 5 minutes and divide 1440.");
        }
        var bucket = Duration.FromMinutes(bucketMinutes);
        int dayCount = Period.Between(start, end, PeriodUnits.Days).Days + 1;
        var grid = new TimelineGrid(start, end, bucketMinutes, bucket, new LocalDate[dayCount], new Instant[dayCount], new Instant[dayCount], new int[dayCount],
            new int[dayCount], []);
        for (int i = 0; i < dayCount; i++)
        {
            var date = start.PlusDays(i);
            var starts = TimeBuckets.StartsOf(_calendar, date, bucket);
            (grid.Dates[i], grid.DayStarts[i], grid.DayEnds[i], grid.Counts[i], grid.Offsets[i]) =
                (date, _calendar.StartOf(date), _calendar.EndOf(date), starts.Count, grid.Buckets.Count);
            for (int k = 0; k < starts.Count; k++)
            {
                grid.Buckets.Add((date, starts[k], k + 1 < starts.Count ? starts[k + 1] : grid.DayEnds[i]));
            }
        }
        return grid;
    }

    private async Task<Timeline> FromQuarterHoursAsync(string? classroom, TimelineGrid grid, CancellationToken ct)
    {
        // Quarter-hour k of a day lies inside bucket k / m (m quarter-hours per bucket; the grids share the day's start), and
        // summing a row's quarter-hour shares gives exactly its share of the coarser bucket (the cumulative shares telescope).
        const string sql = """
            SELECT q.local_date - @start AS day, (s.k - 1)::int AS slot, sum(s.e) AS energy_wh, sum(s.c) AS cost, sum(s.x) AS estimated_wh
            FROM quarter_hour_aggregates q CROSS JOIN LATERAL unnest(q.energy_wh, q.cost, q.estimated_wh) WITH ORDINALITY AS s(e, c, x, k)
            WHERE q.local_date >= @start AND q.local_date <= @end AND (@classroom::text IS NULL OR q.classroom = @classroom) AND s.e IS NOT NULL
            GROUP BY q.local_date, s.k
            """;
        var (energy, cost, estimated) = (new decimal[grid.Buckets.Count], new decimal[grid.Buckets.Count], new decimal[grid.Buckets.Count]);
        int perBucket = grid.BucketMinutes / AggregateStore.QuarterHourMinutes;
        await using var conn = await db.OpenAsync(ct);
        await using (var cmd = new NpgsqlCommand(sql, conn))
        {
            cmd.Parameters.AddWithValue("start", grid.Start);
            cmd.Parameters.AddWithValue("end", grid.End);
            cmd.Parameters.Add(new NpgsqlParameter("classroom", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)classroom ?? DBNull.Value });
            await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            while (await reader.ReadAsync(ct))
            {
                int day = reader.GetInt32(0);
                int i = grid.Offsets[day] + Math.Min(reader.GetInt32(1) / perBucket, grid.Counts[day] - 1);
                energy[i] += reader.GetDecimal(2);
                cost[i] += reader.GetDecimal(3);
                estimated[i] += reader.GetDecimal(4);
            }
        }
        return await FinishAsync(conn, classroom, grid, energy, cost, estimated, ct);
    }

    private async Task<Timeline> FromLedgerAsync(string? classroom, TimelineGrid grid, CancellationToken ct)
    {
        var (energy, cost, estimated) = (new decimal[grid.Buckets.Count], new decimal[grid.Buckets.Count], new decimal[grid.Buckets.Count]);

        // Rows inside one bucket are summed by PostgreSQL; rows crossing bucket boundaries come back one by one (streamed)
        // and are shared pro rata here by TimeBuckets.AddShares (one fraction per cut, shared by energy, cost and estimated
        // energy), clamped to the row's local day. Both halves read ledger_entries_timeline_idx (0045) with index-only scans
        // (for a classroom only its device-days, looked up by (local_date, device_key)). Buckets come from date_bin on the
        // grid of the day's start (integer arithmetic) on the unclamped period: a row inside one grid cell is the same single
        // bucket as after clamping (cells before the day → bucket 0, at or after its end → the last bucket, hence the index
        // clamp); any other row is clamped by AddShares.
        await using var conn = await db.OpenAsync(ct);
        await using (var cmd = new NpgsqlCommand(classroom is null ? TimelineAllSql : TimelineClassroomSql, conn))
        {
            cmd.Parameters.AddWithValue("dates", grid.Dates);
            cmd.Parameters.AddWithValue("dayStarts", grid.DayStarts);
            cmd.Parameters.AddWithValue("dayEnds", grid.DayEnds);
            cmd.Parameters.AddWithValue("counts", grid.Counts);
            cmd.Parameters.AddWithValue("start", grid.Start);
            cmd.Parameters.AddWithValue("end", grid.End);
            if (classroom is not null)
            {
                cmd.Parameters.AddWithValue("classroom", classroom);
            }
            cmd.Parameters.AddWithValue("bucket", grid.Bucket);
            cmd.Parameters.AddWithValue("bucketSeconds", (decimal)grid.Bucket.TotalSeconds);
            await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            while (await reader.ReadAsync(ct))
            {
                int day = reader.GetInt32(0), b = reader.GetInt32(1), offset = grid.Offsets[day], n = grid.Counts[day];
                decimal e = reader.GetDecimal(2), c = reader.GetDecimal(3);
                if (b >= 0)
                {
                    energy[offset + b] += e;
                    cost[offset + b] += c;
                    estimated[offset + b] += reader.GetDecimal(4);
                    continue;
                }
                TimeBuckets.AddShares(grid.DayStarts[day], grid.DayEnds[day], grid.Bucket, reader.GetFieldValue<Instant>(5), reader.GetFieldValue<Instant>(6),
                    e, c, reader.GetBoolean(7), energy.AsSpan(offset, n), cost.AsSpan(offset, n), estimated.AsSpan(offset, n));
            }
        }
        return await FinishAsync(conn, classroom, grid, energy, cost, estimated, ct);
    }

    private async Task<Timeline> FinishAsync(NpgsqlConnection conn, string? classroom, TimelineGrid grid, decimal[] energy, decimal[] cost, decimal[] estimated,
        CancellationToken ct)
    {
        const string currencySql = """
            SELECT currency FROM daily_aggregates WHERE local_date >= @start AND local_date <= @end AND (@classroom::text IS NULL OR classroom = @classroom)
            GROUP BY currency ORDER BY sum(abs(cost)) DESC, currency LIMIT 1
            """;
        var currency = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(currencySql, new { start = grid.Start, end = grid.End, classroom },
            cancellationToken: ct)) ?? _currency;
        var result = grid.Buckets.Select((b, i) => new TimelineBucket(b.Date, b.Start, b.End, b.Start.InZone(_calendar.Zone).ToOffsetDateTime(),
            energy[i], cost[i], estimated[i])).ToList();
        return new Timeline(classroom, grid.Start, grid.End, grid.BucketMinutes, currency, result);
    }

    public async Task<DeviceBreakdown> DeviceBreakdownAsync(string? classroom, LocalDate date, CancellationToken ct = default)
    {
        const string sql = """
            SELECT coalesce(d.device_key, da.device_key) AS device_key,
                   coalesce(d.esp32_name, split_part(da.device_key, '/', 1)) AS esp32_name,
                   coalesce(d.device_id, substr(da.device_key, length(split_part(da.device_key, '/', 1)) + 2)) AS device_id,
                   coalesce(da.classroom, d.classroom, '') AS classroom, d.display_name,
                   coalesce(da.energy_wh, 0) AS energy_wh, coalesce(da.cost, 0) AS cost, da.currency,
                   coalesce(da.on_time_sec, 0) AS on_time, coalesce(da.energy_high_wh, 0) AS high, coalesce(da.energy_medium_wh, 0) AS medium,
                   coalesce(da.energy_low_wh, 0) AS low, coalesce(da.held_energy_wh, 0) AS held, coalesce(da.flag_counts::text, '{}') AS flags,
                   coalesce(b.last_status, 'unknown') AS online_state, b.last_seen_at
            FROM devices d
            FULL JOIN (SELECT * FROM daily_aggregates WHERE local_date = @date) da ON da.device_key = d.device_key
            LEFT JOIN boards b ON b.esp32_name = coalesce(d.esp32_name, split_part(da.device_key, '/', 1))
            WHERE @classroom::text IS NULL OR coalesce(da.classroom, d.classroom) = @classroom
            ORDER BY coalesce(da.energy_wh, 0) DESC, 1
            """;
        await using var conn = await db.OpenAsync(ct);
        var rows = (await conn.QueryAsync<DeviceRow>(new CommandDefinition(sql, new { classroom, date }, cancellationToken: ct))).ToList();
        decimal total = rows.Sum(r => r.EnergyWh);
        decimal totalCost = rows.Sum(r => r.Cost);
        var currency = rows.Where(r => r.Currency is not null).GroupBy(r => r.Currency!)
            .OrderByDescending(g => g.Sum(r => Math.Abs(r.Cost))).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault() ?? _currency;
        var devices = rows.Select(r => new DeviceUsage(r.DeviceKey, r.Esp32Name, r.DeviceId, r.Classroom, r.DisplayName, r.EnergyWh, r.Cost,
            r.Currency ?? currency, r.OnTime, total == 0m ? null : Math.Round(r.EnergyWh / total, 6), new EnergyByConfidence(r.High, r.Medium, r.Low),
            r.Held, ParseFlags(r.Flags), r.OnlineState, r.LastSeenAt)).ToList();
        return new DeviceBreakdown(classroom, date, total, totalCost, currency, devices);
    }

    public async Task<MonthReport> MonthlyAsync(string? classroom, int year, int month, CancellationToken ct = default)
    {
        if (year is < 2000 or > 2200)
        {
            throw new ArgumentOutOfRangeException(nameof(year), year, "The year must be in [2000, 2200].");
        }
        if (month is < 1 or > 12)
        {
            throw new ArgumentOutOfRangeException(nameof(month), month, "The month must be in [1, 12].");
        }
        const string monthSql = """
            SELECT count(*)::int AS devices, coalesce(sum(energy_wh), 0) AS energy_wh, coalesce(sum(energy_high_wh), 0) AS high,
                   coalesce(sum(energy_medium_wh), 0) AS medium, coalesce(sum(energy_low_wh), 0) AS low, coalesce(sum(cost), 0) AS cost,
                   coalesce(sum(on_time_sec), 0) AS on_time, coalesce(sum(held_energy_wh), 0) AS held,
                   (SELECT c.currency FROM monthly_aggregates c WHERE c.year = @year AND c.month = @month AND (@classroom::text IS NULL OR c.classroom = @classroom)
                    GROUP BY c.currency ORDER BY sum(abs(c.cost)) DESC, c.currency LIMIT 1) AS currency
            FROM monthly_aggregates WHERE year = @year AND month = @month AND (@classroom::text IS NULL OR classroom = @classroom)
            """;
        const string daysSql = """
            SELECT local_date, sum(energy_wh) AS energy_wh, sum(cost) AS cost, sum(on_time_sec) AS on_time, sum(energy_high_wh) AS high,
                   sum(energy_medium_wh) AS medium, sum(energy_low_wh) AS low, sum(held_energy_wh) AS held
            FROM daily_aggregates WHERE local_date >= @first AND local_date < @next AND (@classroom::text IS NULL OR classroom = @classroom)
            GROUP BY local_date
            """;
        const string unpricedSql = """
            SELECT coalesce(sum((flag_counts->>'unpriced')::int), 0)::int FROM monthly_aggregates
            WHERE year = @year AND month = @month AND (@classroom::text IS NULL OR classroom = @classroom)
            """;
        var first = new LocalDate(year, month, 1);
        await using var conn = await db.OpenAsync(ct);
        var t = await conn.QuerySingleAsync<TotalsRow>(new CommandDefinition(monthSql, new { classroom, year, month }, cancellationToken: ct));
        var unpriced = await conn.ExecuteScalarAsync<int>(new CommandDefinition(unpricedSql, new { classroom, year, month }, cancellationToken: ct));
        var byDay = (await conn.QueryAsync<DayRow>(new CommandDefinition(daysSql, new { classroom, first, next = first.PlusMonths(1) }, cancellationToken: ct)))
            .ToDictionary(d => d.LocalDate);
        var days = new List<DayTotal>();
        for (var d = first; d < first.PlusMonths(1); d = d.PlusDays(1))
        {
            days.Add(byDay.TryGetValue(d, out var r)
                ? new DayTotal(d, r.EnergyWh, r.Cost, r.OnTime, new EnergyByConfidence(r.High, r.Medium, r.Low), r.Held)
                : new DayTotal(d, 0m, 0m, 0m, EnergyByConfidence.Zero, 0m));
        }
        return new MonthReport(classroom, year, month, t.EnergyWh, t.Cost, t.Currency ?? _currency, t.OnTime,
            new EnergyByConfidence(t.High, t.Medium, t.Low), t.Held, t.Devices, days) { UnpricedEntries = unpriced };
    }

    public async Task<IReadOnlyList<CostVersionRow>> CostVersionsAsync(CancellationToken ct = default)
    {
        const string sql = """
            SELECT id, cost_per_kwh, currency, effective_from, effective_at, scope, classroom, device_key, notes, created_at, created_by
            FROM cost_versions ORDER BY effective_at DESC, id DESC
            """;
        await using var conn = await db.OpenAsync(ct);
        return (await conn.QueryAsync<CostVersionRow>(new CommandDefinition(sql, cancellationToken: ct))).ToList();
    }

    public async Task<PipelineHealth> HealthAsync(CancellationToken ct = default)
    {
        var now = clock.GetCurrentInstant();
        var today = _calendar.DateOf(now);
        const string sql = """
            WITH pending AS (
                SELECT e.received_at FROM telemetry_events e LEFT JOIN ledger_cursors c ON c.device_key = e.device_key
                WHERE e.id > coalesce(c.last_event_id, 0))
            SELECT (SELECT count(*) FROM pending) AS unprocessed,
                   (SELECT min(received_at) FROM pending) AS oldest_unaccounted,
                   (SELECT count(*) FROM ledger_entries WHERE local_date = @today) AS ledger_today,
                   (SELECT max(finished_at) FROM job_runs WHERE job = 'aggregation') AS last_aggregation,
                   (SELECT count(*)::int FROM devices d JOIN boards b ON b.esp32_name = d.esp32_name WHERE b.last_status = 'online') AS online_devices,
                   (SELECT count(*)::int FROM devices) AS devices,
                   (SELECT max(received_at) FROM telemetry_events) AS last_event,
                   (SELECT count(*) FROM dirty_days) AS dirty_days,
                   (SELECT count(*)::int FROM (
                        SELECT coalesce(l.device_key, a.device_key) FROM
                            (SELECT device_key, local_date, sum(energy_wh) AS e, sum(cost) AS c FROM ledger_entries
                             WHERE local_date >= @since GROUP BY device_key, local_date) l
                        FULL JOIN (SELECT device_key, local_date, energy_wh AS e, cost AS c FROM daily_aggregates WHERE local_date >= @since) a
                             ON a.device_key = l.device_key AND a.local_date = l.local_date
                        WHERE (l.e IS DISTINCT FROM a.e OR l.c IS DISTINCT FROM a.c)
                          AND NOT (l.e IS NULL AND a.e = 0 AND a.c = 0)
                          AND NOT EXISTS (SELECT 1 FROM dirty_days dd WHERE dd.device_key = coalesce(l.device_key, a.device_key)
                                          AND dd.local_date = coalesce(l.local_date, a.local_date))) x) AS inconsistent
            """;
        await using var conn = await db.OpenAsync(ct);
        var r = await conn.QuerySingleAsync<HealthRow>(new CommandDefinition(sql, new { today, since = today.PlusDays(-(ConsistencyWindowDays - 1)) }, cancellationToken: ct));
        return new PipelineHealth(now, today, r.Unprocessed, r.OldestUnaccounted is { } o ? now - o : null, r.LedgerToday, r.LastAggregation,
            r.OnlineDevices, r.Devices, r.LastEvent, r.LastEvent is { } l ? now - l : null, r.DirtyDays, r.Inconsistent, ConsistencyWindowDays);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <c>end</c> when the range is reversed or longer than <paramref name="maxDays"/>.</summary>
    public static void CheckRange(LocalDate start, LocalDate end, int maxDays)
    {
        if (end < start)
        {
            throw new ArgumentOutOfRangeException(nameof(end), end, "The end must not be before the start.");
        }
        if (Period.Between(start, end, PeriodUnits.Days).Days + 1 > maxDays)
        {
            throw new ArgumentOutOfRangeException(nameof(end), end, string.Create(CultureInfo.InvariantCulture, $"The range must not exceed {maxDays} days."));
        }
    }

    internal static IReadOnlyDictionary<string, int> ParseFlags(string json) =>
        (JsonSerializer.Deserialize<Dictionary<string, int>>(json) ?? []).Where(f => f.Value != 0)
            .OrderBy(f => f.Key, StringComparer.Ordinal).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);

    private static DataQuality Quality(decimal energy, decimal medium, decimal low, IReadOnlyDictionary<string, int> flags) =>
        new(energy == 0m ? null : Math.Round(low / energy, 6), energy == 0m ? null : Math.Round(medium / energy, 6), flags);

    private sealed record TimelineGrid(LocalDate Start, LocalDate End, int BucketMinutes, Duration Bucket, LocalDate[] Dates, Instant[] DayStarts,
        Instant[] DayEnds, int[] Counts, int[] Offsets, List<(LocalDate Date, Instant Start, Instant End)> Buckets);

    internal sealed record TotalsRow(int Devices, decimal EnergyWh, decimal High, decimal Medium, decimal Low, decimal Cost, decimal OnTime, decimal Held, string? Currency);

    internal sealed record DayRow(LocalDate LocalDate, decimal EnergyWh, decimal Cost, decimal OnTime, decimal High, decimal Medium, decimal Low, decimal Held);

    internal sealed record DeviceRow(string DeviceKey, string Esp32Name, string DeviceId, string Classroom, string? DisplayName, decimal EnergyWh, decimal Cost,
        string? Currency, decimal OnTime, decimal High, decimal Medium, decimal Low, decimal Held, string Flags, string OnlineState, Instant? LastSeenAt);

    internal sealed record HealthRow(long Unprocessed, Instant? OldestUnaccounted, long LedgerToday, Instant? LastAggregation, int OnlineDevices, int Devices,
        Instant? LastEvent, long DirtyDays, int Inconsistent);
}
