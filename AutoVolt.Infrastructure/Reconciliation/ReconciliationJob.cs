using System.Globalization;
using System.Text.Json;
using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Time;
using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ledger;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Infrastructure.Reconciliation;

/// <summary>What one reconciliation run did (also stored as the <c>job_runs</c> summary).</summary>
/// <param name="Dates">Local days checked.</param>
/// <param name="DevicesRederived">Devices whose lagging cursor was caught up (safe fix).</param>
/// <param name="RowsAppended">Ledger rows that catch-up appended.</param>
/// <param name="AggregatesFixed">Device-days whose daily or quarter-hour aggregates disagreed with the ledger and agree after re-aggregation (safe fix).</param>
/// <param name="Found">Anomalies found per check (ticket kind), whether or not their ticket already existed.</param>
/// <param name="TicketsOpened">New tickets (one per anomaly key; re-runs open none for the same anomalies).</param>
/// <param name="Skipped">Another run held the lock: nothing was done.</param>
public sealed record ReconciliationSummary(IReadOnlyList<LocalDate> Dates, int DevicesRederived, int RowsAppended, int AggregatesFixed,
    IReadOnlyDictionary<string, int> Found, int TicketsOpened, bool Skipped);

/// <summary>
/// Nightly reconciliation (02:00 site time): per device-day over a look-back window (yesterday and today by default,
/// plus an optional day) it catches up lagging ledger cursors and re-aggregates days whose aggregate disagrees with
/// the ledger (safe fixes), then opens one review ticket per remaining anomaly: held deltas, resets/counter wraps,
/// gaps over the threshold, low coverage and missing heartbeats (completed days only), late/out-of-order readings,
/// energy while off, board clock drift and aggregates still disagreeing. Re-runs open no duplicate tickets.
/// </summary>
public sealed partial class ReconciliationJob(AutoVoltDatabase db, IClock clock, LedgerJob ledger, AggregationJob aggregation,
    IOptions<SiteOptions> site, IOptions<LedgerOptions> ledgerOptions, IOptions<ReconciliationOptions> options, ILogger<ReconciliationJob> logger)
{
    public const string JobName = "reconciliation";

    private const string Live = """
        WITH live AS (
            SELECT l.* FROM ledger_entries l
            WHERE l.local_date = @date AND l.kind <> 'reversal'
              AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.kind = 'reversal' AND r.reverses_id = l.id))

        """;

    /// <summary>Hangfire entry point: reconciles the look-back window plus <paramref name="date"/> (yyyy-MM-dd, optional).</summary>
    [JobDisplayName("Reconciliation: check ledger vs aggregates, fix safe drift, open review tickets (extra day {0})")]
    [Queue(Jobs.JobQueues.Default)]
    [DisableConcurrentExecution(timeoutInSeconds: 10 * 60)]
    [AutomaticRetry(Attempts = 2, OnAttemptsExceeded = AttemptsExceededAction.Fail)] // idempotent: a retry after a transient DB error is safe
    public async Task RunAsync(string? date, CancellationToken ct)
    {
        LocalDate? extra = string.IsNullOrWhiteSpace(date) ? null : LocalDatePattern.Iso.Parse(date).GetValueOrThrow();
        await ReconcileAsync(extra, ct);
    }

    /// <summary>Runs the checks and safe fixes; see the class summary.</summary>
    public async Task<ReconciliationSummary> ReconcileAsync(LocalDate? extraDate, CancellationToken ct)
    {
        var started = clock.GetCurrentInstant();
        var calendar = new SiteCalendar(site.Value.Zone());
        var today = calendar.DateOf(started);
        var dates = Enumerable.Range(0, options.Value.LookBackDays + 1).Select(i => today.PlusDays(-options.Value.LookBackDays + i)).ToList();
        if (extraDate is { } d && !dates.Contains(d))
        {
            dates.Add(d);
        }
        dates.Sort();

        await using var lockConn = await db.OpenAsync(ct);
        if (!await lockConn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(hashtextextended('autovolt:reconciliation', 0))", cancellationToken: ct)))
        {
            return new ReconciliationSummary(dates, 0, 0, 0, new Dictionary<string, int>(), 0, Skipped: true);
        }
        try
        {
            var summary = await ReconcileLockedAsync(dates, calendar, started, ct);
            await RecordAsync(summary, started, ct);
            LogRun(logger, summary.TicketsOpened, summary.AggregatesFixed, summary.DevicesRederived);
            return summary;
        }
        finally
        {
            await lockConn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(hashtextextended('autovolt:reconciliation', 0))", cancellationToken: CancellationToken.None));
        }
    }

    private async Task<ReconciliationSummary> ReconcileLockedAsync(List<LocalDate> dates, SiteCalendar calendar, Instant now, CancellationToken ct)
    {
        // Safe fix 1: devices whose cursor lags behind settled readings are accounted now.
        var settledBefore = now - Duration.FromSeconds(ledgerOptions.Value.SettleSeconds);
        IReadOnlyList<string> lagging;
        await using (var conn = await db.OpenAsync(ct))
        {
            lagging = await LedgerStore.DevicesWithPendingAsync(conn, settledBefore, ct);
        }
        var appended = 0;
        foreach (var device in lagging)
        {
            appended += await ledger.AccountDeviceAsync(device, settledBefore, "reconciliation", ct);
        }
        await aggregation.RunAsync(ct);

        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        var tickets = new List<NewReviewTicket>();
        void Add(NewReviewTicket t)
        {
            found[t.Kind] = found.GetValueOrDefault(t.Kind) + 1;
            tickets.Add(t);
        }

        var fixedDays = 0;
        await using (var conn = await db.OpenAsync(ct))
        {
            // Safe fix 2: re-aggregate device-days whose aggregate disagrees with their ledger rows.
            foreach (var date in dates)
            {
                var disagreeing = await MismatchesAsync(conn, date, ct);
                foreach (var device in disagreeing)
                {
                    await LedgerStore.MarkDirtyAsync(conn, device, [date], now, ct);
                }
                if (disagreeing.Count > 0)
                {
                    await aggregation.RunAsync(ct);
                    var still = await MismatchesAsync(conn, date, ct);
                    fixedDays += disagreeing.Count(x => !still.Contains(x));
                    foreach (var device in still)
                    {
                        Add(new NewReviewTicket("aggregate_mismatch", device, date, Key("aggregate_mismatch", device, Iso(date)), Details(("local_date", Iso(date)))));
                    }
                }
            }

            foreach (var date in dates)
            {
                await CheckDayAsync(conn, date, calendar, now, Add, ct);
            }
            await CheckClockDriftAsync(conn, calendar, Add, ct);
            var opened = await ReviewTicketStore.OpenAsync(conn, tickets, now, ct);
            return new ReconciliationSummary(dates, lagging.Count, appended, fixedDays, found, opened, Skipped: false);
        }
    }

    private async Task CheckDayAsync(NpgsqlConnection conn, LocalDate date, SiteCalendar calendar, Instant now, Action<NewReviewTicket> add, CancellationToken ct)
    {
        var day = calendar.DayInterval(date);
        var iso = Iso(date);
        var marks = new
        {
            date,
            held = (int)EntryMarks.Held,
            gap = (int)EntryMarks.Gap,
            off = (int)EntryMarks.EnergyWhileOff,
            wrap = (int)EntryMarks.CounterWrap,
        };

        const string heldSql = Live + """
            SELECT device_key, coalesce(from_event_id, 0) AS from_id, coalesce(to_event_id, 0) AS to_id, sum(held_energy_wh) AS held_wh,
                   min(period_start) AS period_start, max(period_end) AS period_end
            FROM live WHERE (marks & @held) <> 0 AND held_energy_wh > 0 GROUP BY 1, 2, 3 ORDER BY 1, 2
            """;
        foreach (var h in await conn.QueryAsync<(string Device, long From, long To, decimal HeldWh, Instant Start, Instant End)>(new CommandDefinition(heldSql, marks, cancellationToken: ct)))
        {
            add(new NewReviewTicket(ReviewTicketStore.HeldDelta, h.Device, date, Key("held_delta", h.Device, Num(h.From), Num(h.To)), Details(
                ("from_event_id", h.From), ("to_event_id", h.To), ("held_energy_wh", h.HeldWh), ("period_start", Iso(h.Start)), ("period_end", Iso(h.End)))));
        }

        const string resetSql = Live + """
            SELECT device_key, coalesce(from_event_id, 0), coalesce(to_event_id, 0), bool_or((marks & @wrap) <> 0), min(period_start)
            FROM live WHERE kind = 'reset_marker' GROUP BY 1, 2, 3 ORDER BY 1, 2
            """;
        foreach (var r in await conn.QueryAsync<(string Device, long From, long To, bool Wrap, Instant At)>(new CommandDefinition(resetSql, marks, cancellationToken: ct)))
        {
            var kind = r.Wrap ? "counter_wrap" : "reset";
            add(new NewReviewTicket(kind, r.Device, date, Key(kind, r.Device, Num(r.From), Num(r.To)), Details(
                ("from_event_id", r.From), ("to_event_id", r.To), ("at", Iso(r.At)))));
        }

        const string gapSql = Live + """
            SELECT l.device_key, l.from_event_id, l.to_event_id, min(e1.reading_ts), min(e2.reading_ts), sum(l.energy_wh), min(l.confidence)
            FROM live l
            JOIN telemetry_events e1 ON e1.id = l.from_event_id
            JOIN telemetry_events e2 ON e2.id = l.to_event_id
            WHERE l.kind = 'posting' AND (l.marks & @gap) <> 0
              AND extract(epoch FROM e2.reading_ts - e1.reading_ts) > @gapSeconds
            GROUP BY 1, 2, 3 ORDER BY 1, 2
            """;
        foreach (var g in await conn.QueryAsync<(string Device, long From, long To, Instant Start, Instant End, decimal EnergyWh, string Confidence)>(new CommandDefinition(gapSql,
            new { date, gap = marks.gap, gapSeconds = options.Value.GapMinutes * 60 }, cancellationToken: ct)))
        {
            add(new NewReviewTicket("gap", g.Device, date, Key("gap", g.Device, Num(g.From), Num(g.To)), Details(
                ("from_event_id", g.From), ("to_event_id", g.To), ("from", Iso(g.Start)), ("to", Iso(g.End)),
                ("minutes", (long)(g.End - g.Start).TotalMinutes), ("energy_wh_on_this_day", g.EnergyWh), ("confidence", g.Confidence))));
        }

        const string offSql = Live + """
            SELECT device_key, sum(energy_wh), count(*)::int FROM live WHERE kind = 'posting' AND (marks & @off) <> 0 GROUP BY 1 ORDER BY 1
            """;
        foreach (var o in await conn.QueryAsync<(string Device, decimal EnergyWh, int Entries)>(new CommandDefinition(offSql, marks, cancellationToken: ct)))
        {
            add(new NewReviewTicket("energy_while_off", o.Device, date, Key("energy_while_off", o.Device, iso), Details(("energy_wh", o.EnergyWh), ("entries", o.Entries))));
        }

        // Every ledger row's cost version and revision exist (the foreign keys were dropped for insert speed in 0060; both
        // parent tables are append-only, so this never fires unless rows were written around LedgerStore).
        const string referenceSql = """
            SELECT device_key, count(*)::int FROM ledger_entries le
            WHERE le.local_date = @date
              AND ((le.cost_version_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cost_versions c WHERE c.id = le.cost_version_id))
                OR (le.revision_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_revisions r WHERE r.id = le.revision_id)))
            GROUP BY 1 ORDER BY 1
            """;
        foreach (var r in await conn.QueryAsync<(string Device, int Entries)>(new CommandDefinition(referenceSql, marks, cancellationToken: ct)))
        {
            add(new NewReviewTicket("ledger_reference", r.Device, date, Key("ledger_reference", r.Device, iso), Details(("entries", r.Entries))));
        }

        const string lateSql = """
            SELECT device_key, sum(late_delivery)::int, sum(out_of_order)::int, sum(late)::int, sum(revisions)::int FROM (
                SELECT device_key, count(*) FILTER (WHERE (marks & @lateDelivery) <> 0) AS late_delivery,
                       count(*) FILTER (WHERE (marks & @outOfOrder) <> 0) AS out_of_order, count(*) FILTER (WHERE (marks & @late) <> 0) AS late, 0 AS revisions
                FROM telemetry_events WHERE reading_ts >= @start AND reading_ts < @end AND (marks & (@lateDelivery | @outOfOrder | @late)) <> 0
                GROUP BY device_key
                UNION ALL
                SELECT device_key, 0, 0, 0, count(*) FROM ledger_revisions
                WHERE reason = 'late reading' AND window_start >= @start AND window_start < @end GROUP BY device_key) x
            GROUP BY device_key ORDER BY device_key
            """;
        foreach (var l in await conn.QueryAsync<(string Device, int LateDelivery, int OutOfOrder, int Late, int Revisions)>(new CommandDefinition(lateSql, new
        {
            start = day.Start,
            end = day.End,
            lateDelivery = (int)EntryMarks.LateDelivery,
            outOfOrder = (int)EntryMarks.OutOfOrder,
            late = (int)EntryMarks.Late,
        }, cancellationToken: ct)))
        {
            add(new NewReviewTicket("late_readings", l.Device, date, Key("late_readings", l.Device, iso), Details(
                ("late_delivery", l.LateDelivery), ("out_of_order", l.OutOfOrder), ("late", l.Late), ("late_rederivations", l.Revisions))));
        }

        if (day.End > now)
        {
            return; // coverage and heartbeats only for completed days
        }
        const string coverageSql = Live + """
            SELECT d.device_key, d.esp32_name,
                   coalesce((SELECT sum(extract(epoch FROM l.period_end - l.period_start)) FROM live l
                             WHERE l.device_key = d.device_key AND l.kind = 'posting' AND (l.marks & @gap) = 0), 0)::float8 AS covered,
                   EXISTS (SELECT 1 FROM heartbeats h WHERE h.esp32_name = d.esp32_name
                           AND coalesce(h.board_ts, h.received_at) >= @start AND coalesce(h.board_ts, h.received_at) < @end) AS heartbeat
            FROM devices d
            WHERE EXISTS (SELECT 1 FROM ledger_entries x WHERE x.device_key = d.device_key AND x.local_date BETWEEN @prev AND @date)
            ORDER BY d.device_key
            """;
        var expected = (day.End - day.Start).TotalSeconds;
        var boardsWithout = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in await conn.QueryAsync<(string Device, string Board, double Covered, bool Heartbeat)>(new CommandDefinition(coverageSql,
            new { date, prev = date.PlusDays(-1), gap = marks.gap, start = day.Start, end = day.End }, cancellationToken: ct)))
        {
            var coverage = c.Covered / expected;
            if (coverage < options.Value.MinCoverage)
            {
                add(new NewReviewTicket("low_coverage", c.Device, date, Key("low_coverage", c.Device, iso), Details(
                    ("coverage", Math.Round(coverage, 4)), ("covered_seconds", Math.Round(c.Covered)), ("day_seconds", expected))));
            }
            if (!c.Heartbeat)
            {
                boardsWithout.Add(c.Board);
            }
        }
        foreach (var board in boardsWithout)
        {
            add(new NewReviewTicket("missing_heartbeats", null, date, Key("missing_heartbeats", board, iso), Details(("esp32_name", board))));
        }
    }

    private async Task CheckClockDriftAsync(NpgsqlConnection conn, SiteCalendar calendar, Action<NewReviewTicket> add, CancellationToken ct)
    {
        var limitMs = options.Value.ClockDriftSeconds * 1000L;
        foreach (var b in await conn.QueryAsync<(string Board, long OffsetMs, Instant At)>(new CommandDefinition(
            "SELECT esp32_name, clock_offset_ms, clock_offset_at FROM boards WHERE abs(clock_offset_ms) > @limitMs AND clock_offset_at IS NOT NULL ORDER BY esp32_name",
            new { limitMs }, cancellationToken: ct)))
        {
            var date = calendar.DateOf(b.At);
            add(new NewReviewTicket("clock_drift", null, date, Key("clock_drift", b.Board, Iso(date)), Details(
                ("esp32_name", b.Board), ("clock_offset_ms", b.OffsetMs), ("measured_at", Iso(b.At)))));
        }
    }

    /// <summary>Devices whose daily aggregate of <paramref name="date"/> disagrees with the sum of their ledger rows (or is missing), or whose quarter-hour aggregates do not sum to it.</summary>
    private static async Task<HashSet<string>> MismatchesAsync(NpgsqlConnection conn, LocalDate date, CancellationToken ct)
    {
        const string sql = """
            SELECT coalesce(l.device_key, a.device_key) FROM
              (SELECT device_key, sum(energy_wh) AS e, sum(cost) AS c, sum(held_energy_wh) AS h, sum(on_time_sec) AS o,
                      sum(CASE WHEN kind = 'reversal' THEN -1 ELSE 1 END) AS n
               FROM ledger_entries WHERE local_date = @date GROUP BY device_key) l
            FULL JOIN (SELECT * FROM daily_aggregates WHERE local_date = @date) a ON a.device_key = l.device_key
            WHERE (l.device_key IS NULL AND (a.energy_wh <> 0 OR a.cost <> 0 OR a.held_energy_wh <> 0 OR a.on_time_sec <> 0 OR a.entry_count <> 0))
               OR (l.device_key IS NOT NULL AND (a.device_key IS NULL OR l.e <> a.energy_wh OR l.c <> a.cost OR l.h <> a.held_energy_wh
                   OR l.o <> a.on_time_sec OR l.n <> a.entry_count))
            UNION
            SELECT coalesce(q.device_key, a.device_key) FROM
              (SELECT device_key, (SELECT sum(v) FROM unnest(energy_wh) v) AS e, (SELECT sum(v) FROM unnest(cost) v) AS c,
                      (SELECT sum(v) FROM unnest(estimated_wh) v) AS x
               FROM quarter_hour_aggregates WHERE local_date = @date) q
            FULL JOIN (SELECT * FROM daily_aggregates WHERE local_date = @date) a ON a.device_key = q.device_key
            WHERE coalesce(q.e, 0) <> coalesce(a.energy_wh, 0) OR coalesce(q.c, 0) <> coalesce(a.cost, 0) OR coalesce(q.x, 0) <> coalesce(a.energy_low_wh, 0)
            """;
        return (await conn.QueryAsync<string>(new CommandDefinition(sql, new { date }, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
    }

    private async Task RecordAsync(ReconciliationSummary s, Instant started, CancellationToken ct)
    {
        var summary = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["dates"] = s.Dates.Select(Iso).ToArray(),
            ["devices_rederived"] = s.DevicesRederived,
            ["rows_appended"] = s.RowsAppended,
            ["aggregates_fixed"] = s.AggregatesFixed,
            ["found"] = s.Found,
            ["tickets_opened"] = s.TicketsOpened,
        });
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO job_runs (job, started_at, finished_at, summary) VALUES (@job, @started, @finished, @summary::jsonb)
            ON CONFLICT (job, started_at) DO UPDATE SET finished_at = excluded.finished_at, summary = excluded.summary
            """, new { job = JobName, started, finished = clock.GetCurrentInstant(), summary }, cancellationToken: ct));
    }

    private static string Key(string kind, string subject, params string[] parts) => string.Join(':', [kind, subject, .. parts]);

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);

    private static string Iso(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    private static Dictionary<string, object?> Details(params (string Key, object? Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation: {Opened} new ticket(s), {Fixed} aggregate(s) fixed, {Rederived} lagging device(s) caught up")]
    private static partial void LogRun(ILogger logger, int opened, int @fixed, int rederived);
}
