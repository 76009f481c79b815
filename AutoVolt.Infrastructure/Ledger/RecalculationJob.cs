using System.Text.Json;
using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;
using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Infrastructure.Ledger;

/// <summary>Which devices a recalculation covers.</summary>
public enum RecalculationScope
{
    /// <summary>Every device.</summary>
    All,
    /// <summary>The devices of one classroom (key = classroom).</summary>
    Classroom,
    /// <summary>One device (key = device key).</summary>
    Device,
}

/// <summary>One device-day of a recalculation preview: energy is unchanged, cost old → new.</summary>
public sealed record RecalculationPreviewRow(string DeviceKey, LocalDate LocalDate, decimal EnergyWh, decimal OldCost, decimal NewCost, string Currency)
{
    /// <summary>New cost − old cost.</summary>
    public decimal Difference => NewCost - OldCost;
}

/// <summary>Progress of the latest apply run (table <c>job_runs</c>, job <c>recalculation</c>).</summary>
public sealed record RecalculationProgress(Instant StartedAt, Instant? FinishedAt, int Done, int Total, int RowsAppended, string Summary);

/// <summary>
/// Re-prices a period (local dates, inclusive) of some devices under today's cost versions.
/// <para><see cref="PreviewAsync"/> writes nothing: it takes the live ledger rows of each device-day in the period, turns
/// each back into an energy segment and prices it afresh with the Domain planner (<see cref="LedgerPlanner"/>, which also
/// splits a row where a new cost version starts inside it). Energy is unchanged; old cost = the live rows' cost.</para>
/// <para><see cref="ApplyAsync"/> (a Hangfire job, primitive arguments) re-prices the devices' period the same way, in batches,
/// each batch in a transaction holding its devices' ledger locks, and compares the result with the live rows
/// (<see cref="WindowRederivation.Plan"/>, as every re-derivation does): rows whose price changed are reversed and posted
/// afresh under one revision per device, reason "recalculation", append-only; an unchanged period appends nothing (so
/// applying twice changes nothing). Apply writes exactly what the preview showed: energy never moves in a recalculation
/// (corrections to energy are the ledger job's and reconciliation's re-derivations from readings). Progress (done/total
/// devices, per batch) is kept in a <c>job_runs</c> row; aggregation runs at the end.</para>
/// </summary>
public sealed class RecalculationJob(AutoVoltDatabase db, IClock clock, AggregationJob aggregation, IOptions<SiteOptions> site)
{
    public const string JobName = "recalculation";
    public const string Reason = "recalculation";

    /// <summary>Per device-day energy, old cost, new cost and difference for the period and scope; writes nothing.</summary>
    public async Task<IReadOnlyList<RecalculationPreviewRow>> PreviewAsync(LocalDate from, LocalDate to, RecalculationScope scope, string? key, CancellationToken ct)
    {
        var calendar = new SiteCalendar(site.Value.Zone());
        var window = Window(calendar, from, to);
        await using var conn = await db.OpenAsync(ct);
        var resolver = new CostVersionResolver(await LedgerStore.CostVersionsAsync(conn, ct), calendar.Zone);
        var result = new List<RecalculationPreviewRow>();
        var deviceKeys = await DevicesAsync(conn, scope, key, ct);
        var devices = await LedgerStore.DevicesAsync(conn, deviceKeys, ct);
        var liveRows = await LedgerStore.LiveRowsAsync(conn, [.. deviceKeys.Select(k => (k, window.Start, (Instant?)window.End))], ct);
        foreach (var deviceKey in deviceKeys)
        {
            var device = devices[deviceKey];
            var live = liveRows[deviceKey].Select(r => r.Line).ToList();
            var repriced = Reprice(live, calendar, resolver, device.Classroom);
            foreach (var day in live.GroupBy(l => l.LocalDate).OrderBy(g => g.Key))
            {
                var fresh = repriced.Where(l => l.LocalDate == day.Key).ToList();
                var currency = fresh.Concat(day).Select(l => l.Currency).FirstOrDefault(c => !string.IsNullOrEmpty(c)) ?? site.Value.Currency;
                result.Add(new RecalculationPreviewRow(deviceKey, day.Key, day.Sum(l => l.EnergyWh), day.Sum(l => l.Cost), fresh.Sum(l => l.Cost), currency));
            }
        }
        return result;
    }

    /// <summary>
    /// Re-prices the period append-only (see the class summary). <paramref name="from"/>/<paramref name="to"/> are local dates
    /// yyyy-MM-dd (inclusive); <paramref name="scope"/> is all | classroom | device with <paramref name="key"/> naming the
    /// classroom or device. Returns the ledger rows appended.
    /// </summary>
    [JobDisplayName("Recalculate costs {0} to {1} ({2} {3}) under the current cost versions")]
    [Queue(Jobs.JobQueues.Default)]
    [DisableConcurrentExecution(timeoutInSeconds: 60 * 60)]
    [AutomaticRetry(Attempts = 1)] // idempotent: a retry re-prices only what is still unchanged
    public async Task<int> ApplyAsync(string from, string to, string scope, string? key, CancellationToken ct)
    {
        var calendar = new SiteCalendar(site.Value.Zone());
        var window = Window(calendar, LocalDatePattern.Iso.Parse(from).GetValueOrThrow(), LocalDatePattern.Iso.Parse(to).GetValueOrThrow());
        var parsedScope = Enum.Parse<RecalculationScope>(scope, ignoreCase: true);
        var started = clock.GetCurrentInstant();
        IReadOnlyList<string> devices;
        await using (var conn = await db.OpenAsync(ct))
        {
            devices = await DevicesAsync(conn, parsedScope, key, ct);
        }
        await ProgressAsync(started, null, from, to, scope, key, 0, devices.Count, 0, ct);
        var appended = 0;
        var done = 0;
        using var progress = new SemaphoreSlim(1);
        // Batches of devices (disjoint, two at a time), one transaction each: locks, inputs, and one COPY per batch.
        await Parallel.ForEachAsync(await BatchesAsync(devices, window, ct), new ParallelOptions { MaxDegreeOfParallelism = LedgerJob.ParallelBatches, CancellationToken = ct },
            async (batch, token) =>
            {
                int rows;
                await using (var conn = await db.OpenAsync(token))
                await using (var tx = await conn.BeginTransactionAsync(token))
                {
                    await LedgerStore.LockDevicesAsync(conn, batch, token);
                    // Under the locks: the ledger job cannot change these devices' rows until this batch commits.
                    var info = await LedgerStore.DevicesAsync(conn, batch, token);
                    var resolver = new CostVersionResolver(await LedgerStore.CostVersionsAsync(conn, token), calendar.Zone);
                    var live = await LedgerStore.LiveRowsAsync(conn, [.. batch.Select(d => (d, window.Start, (Instant?)window.End))], token);
                    var appends = batch.Where(info.ContainsKey).Select(d => new LedgerStore.DeviceAppend(d,
                        WindowRederivation.Plan(live[d], Reprice([.. live[d].Select(r => r.Line)], calendar, resolver, info[d].Classroom)), Reason)).ToList();
                    rows = await LedgerStore.AppendAsync(conn, appends, clock.GetCurrentInstant(), token);
                    await tx.CommitAsync(token);
                }
                await progress.WaitAsync(token);
                try
                {
                    appended += rows;
                    done += batch.Count;
                    await ProgressAsync(started, null, from, to, scope, key, done, devices.Count, appended, token);
                }
                finally
                {
                    progress.Release();
                }
            });
        await aggregation.RunAsync(ct);
        await ProgressAsync(started, clock.GetCurrentInstant(), from, to, scope, key, devices.Count, devices.Count, appended, ct);
        return appended;
    }

    /// <summary>Enqueues <see cref="ApplyAsync"/> with primitive arguments; returns the Hangfire job id.</summary>
    public static string Enqueue(IBackgroundJobClient jobs, LocalDate from, LocalDate to, RecalculationScope scope, string? key)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var f = LocalDatePattern.Iso.Format(from);
        var t = LocalDatePattern.Iso.Format(to);
        var s = scope.ToString().ToLowerInvariant();
        return jobs.Enqueue<RecalculationJob>(j => j.ApplyAsync(f, t, s, key, CancellationToken.None));
    }

    /// <summary>The latest apply run's progress, or null when none ran.</summary>
    public async Task<RecalculationProgress?> LatestProgressAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(Instant StartedAt, Instant? FinishedAt, int Done, int Total, int Appended, string Summary)>(new CommandDefinition("""
            SELECT started_at, finished_at, (summary->>'done')::int, (summary->>'total')::int, (summary->>'rows_appended')::int, summary::text
            FROM job_runs WHERE job = @job ORDER BY started_at DESC LIMIT 1
            """, new { job = JobName }, cancellationToken: ct));
        return row.Summary is null ? null : new RecalculationProgress(row.StartedAt, row.FinishedAt, row.Done, row.Total, row.Appended, row.Summary);
    }

    /// <summary>Live ledger rows per batch (bounds memory per transaction; sized from the daily aggregates' row counts).</summary>
    public const int BatchRows = 50_000;

    /// <summary>Splits the (sorted) devices into batches of about <see cref="BatchRows"/> rows in the period, at most 500 devices each.</summary>
    private async Task<IReadOnlyList<IReadOnlyList<string>>> BatchesAsync(IReadOnlyList<string> devices, Interval window, CancellationToken ct)
    {
        var calendar = new SiteCalendar(site.Value.Zone());
        IReadOnlyDictionary<string, long> rows;
        await using (var conn = await db.OpenAsync(ct))
        {
            rows = (await conn.QueryAsync<(string Key, long Rows)>(new CommandDefinition("""
                SELECT device_key, sum(entry_count)::bigint FROM daily_aggregates WHERE local_date BETWEEN @first AND @last GROUP BY device_key
                """, new { first = calendar.DateOf(window.Start), last = calendar.DateOf(window.End - Duration.Epsilon) }, cancellationToken: ct)))
                .ToDictionary(r => r.Key, r => r.Rows, StringComparer.Ordinal);
        }
        var batches = new List<IReadOnlyList<string>>();
        var batch = new List<string>();
        long size = 0;
        foreach (var device in devices)
        {
            batch.Add(device);
            size += rows.GetValueOrDefault(device) + 1;
            if (size >= BatchRows || batch.Count >= 500)
            {
                batches.Add(batch);
                batch = [];
                size = 0;
            }
        }
        if (batch.Count > 0)
        {
            batches.Add(batch);
        }
        return batches;
    }

    private static Interval Window(SiteCalendar calendar, LocalDate from, LocalDate to) =>
        to < from ? throw new ArgumentException("The period ends before it starts.", nameof(to)) : new Interval(calendar.StartOf(from), calendar.EndOf(to));

    /// <summary>The live rows of a period priced afresh: the same energy segments under today's cost versions (split where one starts).</summary>
    private IReadOnlyList<LedgerLine> Reprice(IReadOnlyList<LedgerLine> live, SiteCalendar calendar, CostVersionResolver resolver, string classroom) =>
        LedgerPlanner.Plan(live.Select(ToSegment), calendar, resolver, classroom, site.Value.Currency);

    private static EnergySegment ToSegment(LedgerLine l) =>
        new(l.DeviceKey, l.PeriodStart, l.PeriodEnd, l.EnergyWh, l.HeldEnergyWh, l.OnTimeSeconds, l.Method, l.Confidence, l.Marks, l.Kind,
            l.FromEventId ?? 0, l.ToEventId ?? 0);

    private static async Task<IReadOnlyList<string>> DevicesAsync(NpgsqlConnection conn, RecalculationScope scope, string? key, CancellationToken ct)
    {
        if (scope != RecalculationScope.All && string.IsNullOrWhiteSpace(key))
        {
            throw new ArgumentException("A classroom or device scope needs its key.", nameof(key));
        }
        const string sql = """
            SELECT device_key FROM devices
            WHERE @scope = 'all' OR (@scope = 'classroom' AND classroom = @key) OR (@scope = 'device' AND device_key = @key)
            ORDER BY device_key
            """;
        var s = scope.ToString().ToLowerInvariant();
        return (await conn.QueryAsync<string>(new CommandDefinition(sql, new { scope = s, key }, cancellationToken: ct))).ToList();
    }

    private async Task ProgressAsync(Instant started, Instant? finished, string from, string to, string scope, string? key, int done, int total, int appended, CancellationToken ct)
    {
        var summary = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["from"] = from, ["to"] = to, ["scope"] = scope, ["key"] = key, ["done"] = done, ["total"] = total, ["rows_appended"] = appended,
        });
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO job_runs (job, started_at, finished_at, summary) VALUES (@job, @started, @finished, @summary::jsonb)
            ON CONFLICT (job, started_at) DO UPDATE SET finished_at = excluded.finished_at, summary = excluded.summary
            """, new { job = JobName, started, finished, summary }, cancellationToken: ct));
    }
}
