using System.Text.Json;
using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ledger;
using Dapper;
using Npgsql;
using NodaTime;

namespace AutoVolt.Infrastructure.Reconciliation;

/// <summary>One review ticket (table <c>review_tickets</c>). <see cref="Details"/> is the jsonb text.</summary>
public sealed record ReviewTicket(long Id, string Kind, string? DeviceKey, LocalDate? LocalDate, string AnomalyKey, string Details, string Status,
    Instant CreatedAt, Instant? ResolvedAt, string? ResolvedBy, string? ResolutionNote);

/// <summary>A page of tickets: open ones first, then newest first.</summary>
public sealed record ReviewTicketPage(IReadOnlyList<ReviewTicket> Items, int Total, int Page, int PageSize);

/// <summary>An anomaly to open a ticket for; <see cref="AnomalyKey"/> makes it unique across runs.</summary>
public sealed record NewReviewTicket(string Kind, string? DeviceKey, LocalDate? LocalDate, string AnomalyKey, IReadOnlyDictionary<string, object?> Details);

/// <summary>What a resolution call did.</summary>
public enum TicketOutcome
{
    /// <summary>Resolved as asked.</summary>
    Done,
    /// <summary>No ticket with that id.</summary>
    NotFound,
    /// <summary>The ticket is not open (already resolved).</summary>
    NotOpen,
    /// <summary>The action does not fit the ticket's kind (accept/reject are for held deltas; acknowledge for the rest).</summary>
    WrongKind,
}

/// <summary>Result of a resolution: the outcome and the ledger rows the follow-up re-derivation appended.</summary>
public sealed record TicketResolution(TicketOutcome Outcome, int RowsAppended);

/// <summary>
/// Review tickets: opened by reconciliation (one per anomaly, <c>anomaly_key</c> unique, re-runs open nothing new),
/// resolved by staff. Accepting a held delta re-derives the device window so the delta counts (flag accepted);
/// rejecting keeps it at zero; other kinds are acknowledged.
/// </summary>
public sealed class ReviewTicketStore(AutoVoltDatabase db, IClock clock, LedgerJob ledger, AggregationJob aggregation)
{
    public const string HeldDelta = "held_delta";

    private const string Columns = "id, kind, device_key, local_date, anomaly_key, details::text AS details, status, created_at, resolved_at, resolved_by, resolution_note";

    /// <summary>Tickets with an optional status filter (null = all), open first then newest first; <paramref name="page"/> starts at 1.</summary>
    public async Task<ReviewTicketPage> ListAsync(string? status, int page, int pageSize, CancellationToken ct)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 500);
        const string sql = """
            SELECT id, kind, device_key, local_date, anomaly_key, details::text AS details, status, created_at, resolved_at, resolved_by, resolution_note
            FROM review_tickets WHERE (@status::text IS NULL OR status = @status)
            ORDER BY (status = 'open') DESC, created_at DESC, id DESC
            LIMIT @pageSize OFFSET @offset;
            SELECT count(*)::int FROM review_tickets WHERE (@status::text IS NULL OR status = @status);
            """;
        await using var conn = await db.OpenAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(sql, new { status, pageSize, offset = (page - 1) * pageSize }, cancellationToken: ct));
        var items = (await grid.ReadAsync<ReviewTicket>()).ToList();
        var total = await grid.ReadSingleAsync<int>();
        return new ReviewTicketPage(items, total, page, pageSize);
    }

    /// <summary>One ticket, or null.</summary>
    public async Task<ReviewTicket?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ReviewTicket>(new CommandDefinition(
            "SELECT " + Columns + " FROM review_tickets WHERE id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Number of open tickets.</summary>
    public async Task<int> CountOpenAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT count(*)::int FROM review_tickets WHERE status = 'open'", cancellationToken: ct));
    }

    /// <summary>Opens tickets for anomalies not seen before (by anomaly key); returns how many are new.</summary>
    public static async Task<int> OpenAsync(NpgsqlConnection conn, IEnumerable<NewReviewTicket> tickets, Instant now, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO review_tickets (kind, device_key, local_date, anomaly_key, details, status, created_at)
            VALUES (@kind, @deviceKey, @localDate, @anomalyKey, @details::jsonb, 'open', @now)
            ON CONFLICT (anomaly_key) DO NOTHING
            """;
        var opened = 0;
        foreach (var t in tickets)
        {
            opened += await conn.ExecuteAsync(new CommandDefinition(sql, new
            {
                kind = t.Kind,
                deviceKey = t.DeviceKey,
                localDate = t.LocalDate,
                anomalyKey = t.AnomalyKey,
                details = JsonSerializer.Serialize(t.Details),
                now,
            }, cancellationToken: ct));
        }
        return opened;
    }

    /// <summary>
    /// Accepts a held delta: the ticket becomes <c>accepted</c> and, in the same transaction under the device lock, the
    /// device is re-derived from the delta's first reading (reason "held delta accepted"), so the delta counts with flag
    /// accepted; then the aggregates are recomputed.
    /// </summary>
    public async Task<TicketResolution> AcceptHeldDeltaAsync(long id, string resolvedBy, string? note, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var ticket = await conn.QuerySingleOrDefaultAsync<(string Kind, string Status, string? DeviceKey, long? FromEventId)>(new CommandDefinition(
            "SELECT kind, status, device_key, (details->>'from_event_id')::bigint FROM review_tickets WHERE id = @id FOR UPDATE", new { id }, cancellationToken: ct));
        if (ticket.Kind is null)
        {
            return new TicketResolution(TicketOutcome.NotFound, 0);
        }
        if (ticket.Kind != HeldDelta || ticket.DeviceKey is null || ticket.FromEventId is null)
        {
            return new TicketResolution(TicketOutcome.WrongKind, 0);
        }
        if (ticket.Status != "open")
        {
            return new TicketResolution(TicketOutcome.NotOpen, 0);
        }
        await LedgerStore.TryLockDeviceAsync(conn, ticket.DeviceKey, ct);
        await ResolveAsync(conn, id, "accepted", resolvedBy, note, ct);
        var cursor = await LedgerStore.CursorAsync(conn, ticket.DeviceKey, ct);
        var from = await conn.ExecuteScalarAsync<Instant?>(new CommandDefinition(
            "SELECT reading_ts FROM telemetry_events WHERE id = @eventId", new { eventId = ticket.FromEventId }, cancellationToken: ct));
        var appended = cursor.LastEventId is { } maxId && from is { } start
            ? await ledger.RederiveAsync(conn, ticket.DeviceKey, start, maxId, "held delta accepted", ct)
            : 0;
        await tx.CommitAsync(ct);
        if (appended > 0)
        {
            await aggregation.RunAsync(ct);
        }
        return new TicketResolution(TicketOutcome.Done, appended);
    }

    /// <summary>Rejects a held delta: the ticket becomes <c>rejected</c>; the delta stays counted as zero.</summary>
    public Task<TicketResolution> RejectHeldDeltaAsync(long id, string resolvedBy, string? note, CancellationToken ct) =>
        ResolveSimpleAsync(id, "rejected", heldDelta: true, resolvedBy, note, ct);

    /// <summary>Acknowledges any ticket that is not a held delta (gap, reset, clock drift, ...): status <c>acknowledged</c>.</summary>
    public Task<TicketResolution> AcknowledgeAsync(long id, string resolvedBy, string? note, CancellationToken ct) =>
        ResolveSimpleAsync(id, "acknowledged", heldDelta: false, resolvedBy, note, ct);

    private async Task<TicketResolution> ResolveSimpleAsync(long id, string status, bool heldDelta, string resolvedBy, string? note, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var ticket = await conn.QuerySingleOrDefaultAsync<(string Kind, string Status)>(new CommandDefinition(
            "SELECT kind, status FROM review_tickets WHERE id = @id FOR UPDATE", new { id }, cancellationToken: ct));
        if (ticket.Kind is null)
        {
            return new TicketResolution(TicketOutcome.NotFound, 0);
        }
        if ((ticket.Kind == HeldDelta) != heldDelta)
        {
            return new TicketResolution(TicketOutcome.WrongKind, 0);
        }
        if (ticket.Status != "open")
        {
            return new TicketResolution(TicketOutcome.NotOpen, 0);
        }
        await ResolveAsync(conn, id, status, resolvedBy, note, ct);
        await tx.CommitAsync(ct);
        return new TicketResolution(TicketOutcome.Done, 0);
    }

    private Task<int> ResolveAsync(NpgsqlConnection conn, long id, string status, string resolvedBy, string? note, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE review_tickets SET status = @status, resolved_at = @now, resolved_by = @resolvedBy, resolution_note = @note WHERE id = @id
            """, new { id, status, now = clock.GetCurrentInstant(), resolvedBy, note }, cancellationToken: ct));
}
