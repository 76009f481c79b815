using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;
using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace AutoVolt.Infrastructure.Ledger;

/// <summary>
/// Accounts settled readings into the append-only ledger. Devices are accounted in batches, one transaction per batch: the
/// batch's per-device advisory locks are taken without waiting (devices another worker holds are skipped, then accounted
/// one by one at the end of the run, waiting for their lock), everything the batch needs is read with one set-based query
/// each, and all ledger rows are written with one binary COPY. For each device the window from the reading before the
/// earliest new one (its anchor) to the newest is derived afresh by the accounting core and compared with the window's
/// live rows: plain forward progress appends postings; a late reading (inside an accounted period) appends reversals of
/// the live rows plus fresh postings under one revision. Idempotent; progress is an event-id cursor per device; the
/// per-device locks keep two workers (or instances) off the same device.
/// </summary>
public sealed partial class LedgerJob(AutoVoltDatabase db, IClock clock, IOptions<LedgerOptions> ledger, IOptions<SiteOptions> site,
    IBackgroundJobClient jobs, ILogger<LedgerJob> logger)
{
    /// <summary>A batch closes once its devices have this many pending readings (bounds memory per transaction).</summary>
    public const int BatchReadings = 25_000;

    /// <summary>Batches accounted at the same time by one run (each on its own connection and transaction).</summary>
    public const int ParallelBatches = 2;

    /// <summary>At most this many devices per batch (one transaction).</summary>
    public const int BatchDevices = 500;

    /// <summary>Pending devices are counted this many at a time (see <see cref="LedgerStore.PendingDevicesAsync"/>).</summary>
    public const int PendingChunkDevices = 100;

    /// <summary>One device's re-derivation inside a batch: window start (already anchored), last event id, reason.</summary>
    private sealed record Rederivation(string DeviceKey, Instant From, long MaxId, string Reason);

    /// <summary>Accounts every device with settled, unaccounted readings; then schedules aggregation.</summary>
    [Queue(Jobs.JobQueues.Ledger)]
    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var settledBefore = clock.GetCurrentInstant() - Duration.FromSeconds(ledger.Value.SettleSeconds);
        var appended = 0;
        var busy = new ConcurrentBag<string>();
        // Batches hold disjoint devices, so they run side by side: one batch's derivation (client CPU) overlaps another's
        // COPY (server CPU), and the next chunk of pending devices is counted meanwhile.
        await Parallel.ForEachAsync(BatchesAsync(settledBefore, ct), new ParallelOptions { MaxDegreeOfParallelism = ParallelBatches, CancellationToken = ct },
            async (batch, token) =>
            {
                IReadOnlyList<string> skipped;
                try
                {
                    (var rows, skipped) = await AccountBatchAsync(batch, settledBefore, "ledger", wait: false, token);
                    Interlocked.Add(ref appended, rows);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The batch rolled back; its devices go one by one below, so one failing device cannot hold up the others.
                    LogBatchFailed(logger, batch.Count, ex.Message);
                    skipped = batch;
                }
                foreach (var key in skipped)
                {
                    busy.Add(key);
                }
            });
        // Devices another worker was accounting (wait for its lock, then account whatever is still pending, usually
        // nothing), and devices of a failed batch.
        var failures = new List<Exception>();
        foreach (var device in busy.Order(StringComparer.Ordinal))
        {
            try
            {
                appended += await AccountDeviceAsync(device, settledBefore, "ledger", ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures.Add(ex);
            }
        }
        appended += await RederiveForLateStatusesAsync(settledBefore, ct);
        if (appended > 0)
        {
            jobs.Enqueue<AggregationJob>(j => j.RunAsync(CancellationToken.None));
        }
        if (failures.Count > 0)
        {
            throw new AggregateException("Ledger: some devices could not be accounted (the others were).", failures);
        }
        return appended;
    }

    /// <summary>Accounts one device's pending readings, waiting for its lock. Returns the number of rows appended.</summary>
    public async Task<int> AccountDeviceAsync(string deviceKey, Instant settledBefore, string reason, CancellationToken ct) =>
        (await AccountBatchAsync([deviceKey], settledBefore, reason, wait: true, ct)).Appended;

    /// <summary>
    /// Devices with settled pending readings, in device-key order, grouped into batches (see <see cref="BatchReadings"/>,
    /// <see cref="BatchDevices"/>). They are counted <see cref="PendingChunkDevices"/> at a time, the next chunk while the
    /// current one's batches are handed out.
    /// </summary>
    private async IAsyncEnumerable<IReadOnlyList<string>> BatchesAsync(Instant settledBefore, [EnumeratorCancellation] CancellationToken ct)
    {
        var next = PendingChunkAsync(null, settledBefore, ct);
        try
        {
            var batch = new List<string>();
            long readings = 0;
            while (await next is { Count: > 0 } chunk)
            {
                next = chunk.Count < PendingChunkDevices ? Task.FromResult<IReadOnlyList<LedgerStore.PendingDevice>>([]) : PendingChunkAsync(chunk[^1].DeviceKey, settledBefore, ct);
                foreach (var device in chunk)
                {
                    batch.Add(device.DeviceKey);
                    readings += device.Pending;
                    if (readings >= BatchReadings || batch.Count >= BatchDevices)
                    {
                        yield return batch;
                        batch = [];
                        readings = 0;
                    }
                }
            }
            if (batch.Count > 0)
            {
                yield return batch;
            }
        }
        finally
        {
            // Abandoned early (a failure or cancellation): the prefetch must not outlive the run.
            await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task<IReadOnlyList<LedgerStore.PendingDevice>> PendingChunkAsync(string? afterKey, Instant settledBefore, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await LedgerStore.PendingDevicesAsync(conn, settledBefore, afterKey, PendingChunkDevices, ct);
    }

    /// <summary>
    /// Accounts the pending readings of <paramref name="deviceKeys"/> in one transaction. With <paramref name="wait"/> the
    /// device locks are awaited one by one (callers pass one device); without, busy devices are skipped and returned.
    /// </summary>
    private async Task<(int Appended, IReadOnlyList<string> Skipped)> AccountBatchAsync(IReadOnlyList<string> deviceKeys, Instant settledBefore, string reason,
        bool wait, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        IReadOnlyList<string> locked;
        if (wait)
        {
            foreach (var key in deviceKeys)
            {
                await LedgerStore.TryLockDeviceAsync(conn, key, ct);
            }
            locked = deviceKeys;
        }
        else
        {
            locked = await LedgerStore.TryLockDevicesAsync(conn, deviceKeys, ct);
        }
        var skipped = deviceKeys.Except(locked, StringComparer.Ordinal).ToList();
        if (locked.Count == 0)
        {
            return (0, skipped);
        }
        // Read after the locks are held: a worker that held one of them has committed its cursor by now.
        var windows = await LedgerStore.PendingWindowsAsync(conn, locked, settledBefore, ct);
        if (windows.Count == 0)
        {
            return (0, skipped);
        }
        var late = windows.Where(w => w.AccountedUntil is { } until && w.MinReadingTs < until).Select(w => w.DeviceKey).ToHashSet(StringComparer.Ordinal);
        var appended = await RederiveManyAsync(conn,
            [.. windows.Select(w => new Rederivation(w.DeviceKey, w.From, w.MaxId, late.Contains(w.DeviceKey) ? "late reading" : reason))], ct);
        var now = clock.GetCurrentInstant();
        await LedgerStore.SaveCursorsAsync(conn, [.. windows.Select(w => new LedgerStore.CursorUpdate(w.DeviceKey, w.MaxId, w.NewAccountedUntil))], now, ct);
        await tx.CommitAsync(ct);
        foreach (var (key, rows) in appended.PerDevice)
        {
            LogAccounted(logger, key, rows, late.Contains(key) ? "late reading: window re-derived" : "forward");
        }
        return (appended.Total, skipped);
    }

    /// <summary>
    /// Board status events (online/offline, Last Will) that arrived after the period they fall in was accounted:
    /// re-derives each affected device from the reading before the earliest such event, so the Offline flag is what it
    /// would have been had the status arrived in time (energy does not change). Returns the rows appended.
    /// </summary>
    public async Task<int> RederiveForLateStatusesAsync(Instant settledBefore, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (devices, maxStatusId) = await LateStatusStore.PendingAsync(conn, settledBefore, ct);
        if (maxStatusId is not { } maxId)
        {
            return 0;
        }
        // Locks in key order (as every batch takes them), then each cursor read under its lock; one batched re-derivation.
        var work = new List<(string DeviceKey, Instant From, long MaxId)>(devices.Count);
        foreach (var device in devices)
        {
            await LedgerStore.TryLockDeviceAsync(conn, device.DeviceKey, ct);
            if ((await LedgerStore.CursorAsync(conn, device.DeviceKey, ct)).LastEventId is { } lastEventId)
            {
                work.Add((device.DeviceKey, device.From, lastEventId));
            }
        }
        var appended = await RederiveWindowsAsync(conn, work, "late status", ct);
        await LateStatusStore.SaveAsync(conn, maxId, clock.GetCurrentInstant(), ct);
        await tx.CommitAsync(ct);
        if (appended > 0)
        {
            LogAccounted(logger, "(late status)", appended, "status inside an accounted period: windows re-derived");
        }
        return appended;
    }

    /// <summary>
    /// Re-derives a device's window from the last reading at or before <paramref name="from"/> to
    /// the newest event up to <paramref name="maxId"/>, inside the caller's transaction (which must
    /// hold the device lock, see <see cref="LedgerStore.TryLockDeviceAsync"/>). Appends reversals and
    /// postings only where the fresh derivation differs from the live rows; nothing when unchanged.
    /// Used when staff accept a held delta (review tickets).
    /// </summary>
    /// <returns>Rows appended.</returns>
    public Task<int> RederiveAsync(Npgsql.NpgsqlConnection conn, string deviceKey, Instant from, long maxId, string reason, CancellationToken ct) =>
        RederiveWindowsAsync(conn, [(deviceKey, from, maxId)], reason, ct);

    /// <summary>
    /// <see cref="RederiveAsync"/> for many devices at once (distinct keys), inside the
    /// caller's transaction, which must hold every device's lock: one query per kind of input, one COPY for all rows.
    /// </summary>
    /// <returns>Rows appended.</returns>
    public async Task<int> RederiveWindowsAsync(Npgsql.NpgsqlConnection conn, IReadOnlyList<(string DeviceKey, Instant From, long MaxId)> devices,
        string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(devices);
        if (devices.Count == 0)
        {
            return 0;
        }
        var starts = await LedgerStore.WindowStartsAsync(conn, [.. devices.Select(d => (d.DeviceKey, d.From, d.MaxId))], ct);
        return (await RederiveManyAsync(conn, [.. devices.Select(d => new Rederivation(d.DeviceKey, starts[d.DeviceKey], d.MaxId, reason))], ct)).Total;
    }

    private async Task<(int Total, IReadOnlyList<(string DeviceKey, int Rows)> PerDevice)> RederiveManyAsync(Npgsql.NpgsqlConnection conn,
        IReadOnlyList<Rederivation> work, CancellationToken ct)
    {
        var keys = work.Select(w => w.DeviceKey).ToList();
        var devices = await LedgerStore.DevicesAsync(conn, keys, ct);
        foreach (var key in keys.Where(k => !devices.ContainsKey(k)))
        {
            throw new InvalidOperationException("Unknown device: " + key);
        }
        var readings = await LedgerStore.ReadingsAsync(conn, devices, [.. work.Select(w => (w.DeviceKey, w.From, w.MaxId))], ct);
        var statuses = await LedgerStore.StatusesAsync(conn,
            [.. work.GroupBy(w => devices[w.DeviceKey].Esp32Name, StringComparer.Ordinal).Select(g => (g.Key, g.Min(w => w.From) - Duration.FromDays(1)))], ct);
        var held = await LedgerStore.AcceptedHeldDeltasAsync(conn, keys, ct);
        var calendar = new SiteCalendar(site.Value.Zone());
        var resolver = new CostVersionResolver(await LedgerStore.CostVersionsAsync(conn, ct), calendar.Zone);
        var live = await LedgerStore.LiveRowsAsync(conn, [.. work.Select(w => (w.DeviceKey, w.From, (Instant?)null))], ct);
        var appends = new List<LedgerStore.DeviceAppend>(work.Count);
        foreach (var w in work)
        {
            var device = devices[w.DeviceKey];
            var policy = new DeltaPolicy
            {
                MaxGap = Duration.FromMinutes(ledger.Value.MaxGapMinutes),
                MaxPowerW = device.MaxPowerW,
                AcceptedHeldDeltas = held[w.DeviceKey],
            };
            var fresh = DeviceAccounting.DeriveAndPlan(readings[w.DeviceKey], policy, statuses[device.Esp32Name], calendar, resolver,
                device.Classroom, site.Value.Currency);
            appends.Add(new LedgerStore.DeviceAppend(w.DeviceKey, WindowRederivation.Plan(live[w.DeviceKey], fresh), w.Reason));
        }
        var total = await LedgerStore.AppendAsync(conn, appends, clock.GetCurrentInstant(), ct);
        return (total, [.. appends.Where(a => !a.Plan.IsEmpty).Select(a => (a.DeviceKey, a.Plan.Reversals.Count + a.Plan.Postings.Count))]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ledger: a batch of {Devices} device(s) failed ({Error}); accounting them one by one")]
    private static partial void LogBatchFailed(ILogger logger, int devices, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ledger: {DeviceKey} +{Rows} row(s) ({Kind})")]
    private static partial void LogAccounted(ILogger logger, string deviceKey, int rows, string kind);
}
