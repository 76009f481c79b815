using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Time;
using AutoVolt.Infrastructure.Analytics;
using AutoVolt.Infrastructure.Database;
using Npgsql;
using NodaTime;

namespace AutoVolt.Bench;

/// <summary>
/// The timeline as it was before the 0045 covering index and the date_bin / shared-fraction rewrite (commit 9ca13a3), kept
/// only as the same-run baseline of the *Before benchmarks (the currency lookup is left
/// out; it costs well under a millisecond). It runs against the current schema, so it also reads the new index.
/// </summary>
internal static class TimelineBefore
{
    public static async Task<Timeline> TimelineAsync(AutoVoltDatabase db, SiteCalendar calendar, string? classroom, LocalDate start, LocalDate end, int bucketMinutes, CancellationToken ct = default)
    {
        var bucket = Duration.FromMinutes(bucketMinutes);
        int dayCount = Period.Between(start, end, PeriodUnits.Days).Days + 1;
        var dates = new LocalDate[dayCount];
        var dayStarts = new Instant[dayCount];
        var dayEnds = new Instant[dayCount];
        var counts = new int[dayCount];
        var offsets = new int[dayCount];
        var buckets = new List<(LocalDate Date, Instant Start, Instant End)>();
        for (int i = 0; i < dayCount; i++)
        {
            var date = start.PlusDays(i);
            var starts = TimeBuckets.StartsOf(calendar, date, bucket);
            (dates[i], dayStarts[i], dayEnds[i], counts[i], offsets[i]) = (date, calendar.StartOf(date), calendar.EndOf(date), starts.Count, buckets.Count);
            for (int k = 0; k < starts.Count; k++)
            {
                buckets.Add((date, starts[k], k + 1 < starts.Count ? starts[k + 1] : dayEnds[i]));
            }
        }
        var energy = new decimal[buckets.Count];
        var cost = new decimal[buckets.Count];
        var estimated = new decimal[buckets.Count];
        var dayIndex = dates.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i);

        // Rows inside one bucket are summed by PostgreSQL; rows crossing bucket boundaries come back one by one
        // (streamed) and are shared pro rata in C# (TimeBuckets.ProRata), with the same clamping to the row's local day.
        const string sql = """
            WITH days AS (
                SELECT * FROM unnest(@dates, @dayStarts, @dayEnds, @counts) AS d(local_date, day_start, day_end, n)),
            r AS (
                SELECT le.local_date, le.period_start, le.period_end, le.energy_wh, le.cost, le.confidence = 'low' AS low, d.n,
                       extract(epoch FROM least(greatest(le.period_start, d.day_start), d.day_end) - d.day_start) AS s,
                       extract(epoch FROM least(greatest(le.period_end, d.day_start), d.day_end) - d.day_start) AS e
                FROM ledger_entries le JOIN days d ON d.local_date = le.local_date
                WHERE le.local_date >= @start AND le.local_date <= @end
                  AND (@classroom::text IS NULL OR (le.device_key, le.local_date) IN (SELECT da.device_key, da.local_date FROM daily_aggregates da
                       WHERE da.classroom = @classroom AND da.local_date >= @start AND da.local_date <= @end))),
            b AS (
                SELECT r.*, least(floor(s / @bucketSeconds), n - 1)::int AS b0,
                       (CASE WHEN e > s THEN least(ceil(e / @bucketSeconds) - 1, n - 1) ELSE least(floor(s / @bucketSeconds), n - 1) END)::int AS b1
                FROM r)
            SELECT local_date, b0, b1, NULL::timestamptz AS period_start, NULL::timestamptz AS period_end,
                   sum(energy_wh) AS energy_wh, sum(cost) AS cost, sum(CASE WHEN low THEN energy_wh ELSE 0 END) AS low_wh
            FROM b WHERE b0 = b1 GROUP BY local_date, b0, b1
            UNION ALL
            SELECT local_date, b0, b1, period_start, period_end, energy_wh, cost, CASE WHEN low THEN energy_wh ELSE 0 END
            FROM b WHERE b0 <> b1
            """;
        await using var conn = await db.OpenAsync(ct);
        await using (var cmd = new NpgsqlCommand(sql, conn))
        {
            cmd.Parameters.AddWithValue("dates", dates);
            cmd.Parameters.AddWithValue("dayStarts", dayStarts);
            cmd.Parameters.AddWithValue("dayEnds", dayEnds);
            cmd.Parameters.AddWithValue("counts", counts);
            cmd.Parameters.AddWithValue("start", start);
            cmd.Parameters.AddWithValue("end", end);
            cmd.Parameters.AddWithValue("classroom", NpgsqlTypes.NpgsqlDbType.Text, (object?)classroom ?? DBNull.Value);
            cmd.Parameters.AddWithValue("bucketSeconds", (decimal)bucket.TotalSeconds);
            await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            while (await reader.ReadAsync(ct))
            {
                var date = reader.GetFieldValue<LocalDate>(0);
                int b0 = reader.GetInt32(1), b1 = reader.GetInt32(2);
                int day = dayIndex[date];
                int offset = offsets[day];
                bool single = await reader.IsDBNullAsync(3, ct);
                Instant? ps = single ? null : reader.GetFieldValue<Instant>(3);
                Instant? pe = single ? null : reader.GetFieldValue<Instant>(4);
                decimal e = reader.GetDecimal(5), c = reader.GetDecimal(6), low = reader.GetDecimal(7);
                if (single)
                {
                    energy[offset + b0] += e;
                    cost[offset + b0] += c;
                    estimated[offset + b0] += low;
                    continue;
                }
                var from = Clamp(ps!.Value, dayStarts[day], dayEnds[day]);
                var to = Clamp(pe!.Value, dayStarts[day], dayEnds[day]);
                var cuts = Enumerable.Range(b0 + 1, b1 - b0).Select(k => buckets[offset + k].Start).ToList();
                var es = TimeBuckets.ProRata(from, to, cuts, e, Quantities.EnergyDecimals);
                var cs = TimeBuckets.ProRata(from, to, cuts, c, AnalyticsQueries.CostShareDecimals);
                var ls = low == 0m ? null : TimeBuckets.ProRata(from, to, cuts, low, Quantities.EnergyDecimals);
                for (int k = 0; k <= b1 - b0; k++)
                {
                    energy[offset + b0 + k] += es[k];
                    cost[offset + b0 + k] += cs[k];
                    estimated[offset + b0 + k] += ls?[k] ?? 0m;
                }
            }
        }
        var currency = "INR";
        var result = buckets.Select((b, i) => new TimelineBucket(b.Date, b.Start, b.End, b.Start.InZone(calendar.Zone).ToOffsetDateTime(),
            energy[i], cost[i], estimated[i])).ToList();
        return new Timeline(classroom, start, end, bucketMinutes, currency, result);
    }

    private static Instant Clamp(Instant t, Instant min, Instant max) => t < min ? min : t > max ? max : t;
}
