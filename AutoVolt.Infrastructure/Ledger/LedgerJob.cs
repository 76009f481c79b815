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
/// Accounts settled readings into the append-only ledger, device by device. For each device the
/// window from the reading before the earliest new one (its anchor) to the newest is derived
/// afresh by the accounting core and compared with the window's live rows: plain forward
/// progress appends postings; a late reading (inside an accounted period) appends reversals of
/// the live rows plus fresh postings under one revision. Idempotent; per-device advisory locks
/// keep two workers (or instances) off the same device.
/// </summary>
public sealed partial class LedgerJob(AutoVoltDatabase db, IClock clock, IOptions<LedgerOptions> ledger, IOptions<SiteOptions> site,
    IBackgroundJobClient jobs, ILogger<LedgerJob> logger)
{
    /// <summary>Accounts every device with settled, unaccounted readings; then schedules aggregation.</summary>
    [Queue(Jobs.JobQueues.Ledger)]
    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var settledBefore = clock.GetCurrentInstant() - Duration.FromSeconds(ledger.Value.SettleSeconds);
        IReadOnlyList<string> devices;
        await using (var conn = await db.OpenAsync(ct))
        {
            devices = await LedgerStore.DevicesWithPendingAsync(conn, settledBefore, ct);
        }
        var appended = 0;
        foreach (var device in devices)
        {
            appended += await AccountDeviceAsync(device, settledBefore, "ledger", ct);
        }
        appended += await RederiveForLateStatusesAsync(settledBefore, ct);
        if (appended > 0)
        {
            jobs.Enqueue<AggregationJob>(j => j.RunAsync(CancellationToken.None));
        }
        return appended;
    }

    /// <summary>Accounts one device's pending readings. Returns the number of rows appended.</summary>
    public async Task<int> AccountDeviceAsync(string deviceKey, Instant settledBefore, string reason, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await LedgerStore.TryLockDeviceAsync(conn, deviceKey, ct))
        {
            return 0;
        }
        var cursor = await LedgerStore.CursorAsync(conn, deviceKey, ct);
        var (minTs, maxId) = await LedgerStore.PendingRangeAsync(conn, deviceKey, cursor.LastEventId, settledBefore, ct);
        if (minTs is null || maxId is null)
        {
            return 0;
        }
        var late = cursor.AccountedUntil is { } until && minTs.Value < until;
        var anchor = await LedgerStore.AnchorAsync(conn, deviceKey, minTs.Value, maxId.Value, ct) ?? minTs.Value;
        var appended = await RederiveAsync(conn, deviceKey, anchor, maxId.Value, late ? "late reading" : reason, ct);
        var accountedUntil = await LedgerStore.AnchorAsync(conn, deviceKey, Instant.MaxValue, maxId.Value, ct) ?? minTs.Value;
        await LedgerStore.SaveCursorAsync(conn, deviceKey, maxId.Value, accountedUntil, clock.GetCurrentInstant(), ct);
        await tx.CommitAsync(ct);
        if (appended > 0)
        {
            LogAccounted(logger, deviceKey, appended, late ? "late reading: window re-derived" : "forward");
        }
        return appended;
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
        var appended = 0;
        foreach (var device in devices)
        {
            await LedgerStore.TryLockDeviceAsync(conn, device.DeviceKey, ct);
            if ((await LedgerStore.CursorAsync(conn, device.DeviceKey, ct)).LastEventId is { } lastEventId)
            {
                appended += await RederiveAsync(conn, device.DeviceKey, device.From, lastEventId, "late status", ct);
            }
        }
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
    /// Used by forward accounting, late readings, recalculation and reconciliation fixes.
    /// </summary>
    /// <returns>Rows appended.</returns>
    public Task<int> RederiveAsync(Npgsql.NpgsqlConnection conn, string deviceKey, Instant from, long maxId, string reason, CancellationToken ct) =>
        RederiveCoreAsync(conn, deviceKey, from, null, maxId, reason, ct);

    /// <summary>
    /// Like <see cref="RederiveAsync"/> but compares and appends only rows whose period starts inside
    /// <paramref name="window"/>; rows outside stay as they are. With a window bounded by local midnights this is exact,
    /// since no row spans a midnight. Used by recalculation of a period.
    /// </summary>
    /// <returns>Rows appended.</returns>
    public Task<int> RederiveWindowAsync(Npgsql.NpgsqlConnection conn, string deviceKey, Interval window, long maxId, string reason, CancellationToken ct) =>
        RederiveCoreAsync(conn, deviceKey, window.Start, window, maxId, reason, ct);

    private async Task<int> RederiveCoreAsync(Npgsql.NpgsqlConnection conn, string deviceKey, Instant from, Interval? window, long maxId, string reason, CancellationToken ct)
    {
        from = await LedgerStore.AnchorAsync(conn, deviceKey, from + Duration.Epsilon, maxId, ct) ?? from;
        var device = await LedgerStore.DeviceAsync(conn, deviceKey, ct);
        var readings = await LedgerStore.ReadingsAsync(conn, device, from, maxId, ct);
        var statuses = await LedgerStore.StatusesAsync(conn, device.Esp32Name, from - Duration.FromDays(1), ct);
        var policy = new DeltaPolicy
        {
            MaxGap = Duration.FromMinutes(ledger.Value.MaxGapMinutes),
            MaxPowerW = device.MaxPowerW,
            AcceptedHeldDeltas = await LedgerStore.AcceptedHeldDeltasAsync(conn, deviceKey, ct),
        };
        var segments = DeviceAccounting.Derive(readings, policy, statuses);
        var calendar = new SiteCalendar(site.Value.Zone());
        var resolver = new CostVersionResolver(await LedgerStore.CostVersionsAsync(conn, ct), calendar.Zone);
        var fresh = LedgerPlanner.Plan(segments, calendar, resolver, device.Classroom, site.Value.Currency);
        var live = await LedgerStore.LiveRowsAsync(conn, deviceKey, from, ct);
        if (window is { } w)
        {
            fresh = [.. fresh.Where(l => w.Contains(l.PeriodStart))];
            live = [.. live.Where(r => w.Contains(r.Line.PeriodStart))];
        }
        var plan = WindowRederivation.Plan(live, fresh);
        return await LedgerStore.AppendAsync(conn, deviceKey, plan, reason, clock.GetCurrentInstant(), ct);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ledger: {DeviceKey} +{Rows} row(s) ({Kind})")]
    private static partial void LogAccounted(ILogger logger, string deviceKey, int rows, string kind);
}
