using AutoVolt.Infrastructure.Reconciliation;
using AutoVolt.Web.Tests.Infrastructure.Ledger;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace AutoVolt.Web.Tests.Infrastructure.Reconciliation;

public sealed class ReconciliationJobTests(KolkataScenarioApp app) : IClassFixture<KolkataScenarioApp>
{
    private ReconciliationJob Job => app.Factory.Services.GetRequiredService<ReconciliationJob>();

    private ReviewTicketStore Tickets => app.Factory.Services.GetRequiredService<ReviewTicketStore>();

    private async Task PublishAsync(string board, string device, params (int Minutes, decimal Wh, bool On, string Boot, long Uptime)[] readings)
    {
        var t0 = new DateTimeOffset(2025, 11, 21, 5, 0, 0, TimeSpan.Zero); // 10:30 IST
        await using var client = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, board);
        var seq = 0;
        foreach (var (m, wh, on, boot, uptime) in readings)
        {
            await client.PublishAsync($"autovolt/{board}/telemetry", MqttTestClient.Telemetry(board, device, t0.AddMinutes(m), wh, 40m, ++seq, on: on, bootId: boot, uptime: uptime));
        }
    }

    private async Task<List<string>> KeysAsync()
    {
        await using var conn = await app.Db.OpenAsync();
        return (await conn.QueryAsync<string>("SELECT anomaly_key FROM review_tickets WHERE local_date = '2025-11-21' ORDER BY anomaly_key")).ToList();
    }

    [Fact]
    public async Task Reconcile_LedgerRowWithMissingCostVersionOrRevision_OneLedgerReferenceTicket()
    {
        await using var conn = await app.Db.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO ledger_entries (device_key, kind, period_start, period_end, local_date, energy_wh, method, confidence, cost_version_id, created_at)
                VALUES ('RCREF/plug_1', 'posting', '2025-11-24T05:00Z', '2025-11-24T05:05Z', '2025-11-24', 1, 'cumulative', 'high', 987654321, now());
            INSERT INTO ledger_entries (device_key, kind, period_start, period_end, local_date, energy_wh, method, confidence, revision_id, created_at)
                VALUES ('RCREF/plug_1', 'posting', '2025-11-24T05:05Z', '2025-11-24T05:10Z', '2025-11-24', 1, 'cumulative', 'high', 987654321, now());
            """);

        var summary = await Job.ReconcileAsync(new LocalDate(2025, 11, 24), CancellationToken.None);

        Assert.Equal(1, summary.Found["ledger_reference"]);
        Assert.Equal(2, await conn.ExecuteScalarAsync<int>(
            "SELECT (details->>'entries')::int FROM review_tickets WHERE anomaly_key = 'ledger_reference:RCREF/plug_1:2025-11-24'"));
    }

    [Fact]
    public async Task Reconcile_SeededAnomalies_OneTicketPerAnomaly_FixesAggregate_RerunOpensNothing_SummaryStored()
    {
        await PublishAsync("RCHLD", "plug_1", (0, 100m, true, "A", 86400), (5, 100_000m, true, "A", 86700), (10, 100_010m, true, "A", 87000));
        await PublishAsync("RCRST", "plug_1", (0, 500m, true, "A", 86400), (5, 510m, true, "A", 86700), (10, 3m, true, "B", 120));
        await PublishAsync("RCGAP", "light_1", (0, 100m, true, "A", 86400), (90, 130m, true, "A", 91800));
        await PublishAsync("RCOFF", "light_1", (0, 10m, false, "A", 86400), (5, 15m, false, "A", 86700));
        await app.AccountAsync();
        await using var conn = await app.Db.OpenAsync();
        await conn.ExecuteAsync("UPDATE boards SET clock_offset_ms = -600000, clock_offset_at = '2025-11-21T06:00Z' WHERE esp32_name = 'RCGAP'");
        await conn.ExecuteAsync("UPDATE daily_aggregates SET energy_wh = energy_wh + 1 WHERE device_key = 'RCGAP/light_1' AND local_date = '2025-11-21'");
        // A quarter-hour aggregate out of step with its day (the timeline reads these): also re-aggregated.
        const string slotsSql = "SELECT sum(e) FROM quarter_hour_aggregates, unnest(energy_wh) e WHERE device_key = 'RCRST/plug_1' AND local_date = '2025-11-21'";
        var slotsBefore = await conn.ExecuteScalarAsync<decimal>(slotsSql);
        Assert.Equal(1, await conn.ExecuteAsync("""
            UPDATE quarter_hour_aggregates SET energy_wh = array_append(energy_wh, 2) WHERE device_key = 'RCRST/plug_1' AND local_date = '2025-11-21'
            """));
        Assert.Equal(slotsBefore + 2, await conn.ExecuteScalarAsync<decimal>(slotsSql));

        var summary = await Job.ReconcileAsync(new LocalDate(2025, 11, 21), CancellationToken.None);

        Assert.False(summary.Skipped);
        Assert.Contains(new LocalDate(2025, 11, 21), summary.Dates);
        Assert.Equal(2, summary.AggregatesFixed);
        Assert.Equal(30m, await conn.ExecuteScalarAsync<decimal>("SELECT energy_wh FROM daily_aggregates WHERE device_key = 'RCGAP/light_1' AND local_date = '2025-11-21'"));
        Assert.Equal(slotsBefore, await conn.ExecuteScalarAsync<decimal>(slotsSql));
        Assert.Equal(await conn.ExecuteScalarAsync<decimal>("SELECT energy_wh FROM daily_aggregates WHERE device_key = 'RCRST/plug_1' AND local_date = '2025-11-21'"), slotsBefore);
        Assert.Equal(1, summary.Found["held_delta"]);
        Assert.Equal(1, summary.Found["reset"]);
        Assert.Equal(1, summary.Found["gap"]);
        Assert.Equal(1, summary.Found["energy_while_off"]);
        Assert.Equal(1, summary.Found["clock_drift"]);
        Assert.Equal(4, summary.Found["low_coverage"]);
        Assert.Equal(4, summary.Found["missing_heartbeats"]);
        Assert.Equal(4, summary.Found["late_readings"]);
        Assert.False(summary.Found.ContainsKey("aggregate_mismatch"));
        Assert.False(summary.Found.ContainsKey("counter_wrap"));
        var keys = await KeysAsync();
        Assert.Equal(summary.TicketsOpened, keys.Count);
        Assert.Equal(17, keys.Count);
        Assert.Contains("gap:RCGAP/light_1:" + await conn.ExecuteScalarAsync<string>(
            "SELECT from_event_id || ':' || to_event_id FROM ledger_entries WHERE device_key = 'RCGAP/light_1'"), keys);
        Assert.Contains("clock_drift:RCGAP:2025-11-21", keys);
        Assert.Contains("energy_while_off:RCOFF/light_1:2025-11-21", keys);
        var held = await conn.QuerySingleAsync<(decimal Held, string Device)>("SELECT (details->>'held_energy_wh')::numeric, device_key FROM review_tickets WHERE kind = 'held_delta' AND local_date = '2025-11-21'");
        Assert.Equal(("RCHLD/plug_1", 99900m), (held.Device, held.Held));

        var again = await Job.ReconcileAsync(new LocalDate(2025, 11, 21), CancellationToken.None);
        Assert.Equal(0, again.TicketsOpened);
        Assert.Equal(0, again.AggregatesFixed);
        Assert.Equal(summary.Found, again.Found);
        Assert.Equal(keys, await KeysAsync());
        var runs = (await conn.QueryAsync<(int Opened, int Held)>(
            "SELECT (summary->>'tickets_opened')::int, (summary->'found'->>'held_delta')::int FROM job_runs WHERE job = 'reconciliation' AND summary->'dates' ? '2025-11-21' ORDER BY started_at")).ToList();
        Assert.Equal(new[] { (17, 1), (0, 1) }, runs);
    }

    [Fact]
    public async Task HeldDelta_Accept_RederivesDeviceWithDeltaCounted_Reject_StaysZero()
    {
        var t0 = new DateTimeOffset(2025, 11, 22, 5, 0, 0, TimeSpan.Zero);
        foreach (var board in new[] { "RCACC", "RCREJ" })
        {
            await using var client = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, board);
            (int M, decimal Wh)[] series = [(0, 100m), (5, 100_100m), (10, 100_110m)];
            foreach (var (m, wh) in series)
            {
                await client.PublishAsync($"autovolt/{board}/telemetry", MqttTestClient.Telemetry(board, "plug_1", t0.AddMinutes(m), wh, 40m, m));
            }
        }
        await app.AccountAsync();
        Assert.Equal(10m, (await app.DayAsync("RCACC/plug_1", "2025-11-22")).EnergyWh);
        Assert.Equal(100_000m, (await app.DayAsync("RCACC/plug_1", "2025-11-22")).HeldEnergyWh);
        await Job.ReconcileAsync(new LocalDate(2025, 11, 22), CancellationToken.None);
        await using var conn = await app.Db.OpenAsync();
        var accId = await conn.ExecuteScalarAsync<long>("SELECT id FROM review_tickets WHERE kind = 'held_delta' AND device_key = 'RCACC/plug_1'");
        var rejId = await conn.ExecuteScalarAsync<long>("SELECT id FROM review_tickets WHERE kind = 'held_delta' AND device_key = 'RCREJ/plug_1'");

        Assert.Equal(TicketOutcome.WrongKind, (await Tickets.AcknowledgeAsync(accId, "staff", null, CancellationToken.None)).Outcome);
        var accepted = await Tickets.AcceptHeldDeltaAsync(accId, "staff", "meter verified", CancellationToken.None);
        Assert.Equal(TicketOutcome.Done, accepted.Outcome);
        Assert.Equal(2, accepted.RowsAppended); // reversal of the held row + posting counted
        Assert.Equal(TicketOutcome.NotOpen, (await Tickets.AcceptHeldDeltaAsync(accId, "staff", null, CancellationToken.None)).Outcome);
        var rejected = await Tickets.RejectHeldDeltaAsync(rejId, "staff", "bit flip", CancellationToken.None);
        Assert.Equal(TicketOutcome.Done, rejected.Outcome);

        var acc = await app.DayAsync("RCACC/plug_1", "2025-11-22");
        Assert.Equal(100_010m, acc.EnergyWh);
        Assert.Equal(0m, acc.HeldEnergyWh);
        Assert.Equal(1, acc.Flag("accepted"));
        var rej = await app.DayAsync("RCREJ/plug_1", "2025-11-22");
        Assert.Equal(10m, rej.EnergyWh);
        Assert.Equal(100_000m, rej.HeldEnergyWh);
        var ticket = await Tickets.GetAsync(accId, CancellationToken.None);
        Assert.Equal(("accepted", "staff", "meter verified"), (ticket!.Status, ticket.ResolvedBy, ticket.ResolutionNote));
        Assert.Equal("rejected", (await Tickets.GetAsync(rejId, CancellationToken.None))!.Status);
        await app.AssertInvariantsAsync("RCACC/plug_1", "RCREJ/plug_1");

        // Reconciliation does not reopen the resolved held deltas (same anomaly keys).
        var rerun = await Job.ReconcileAsync(new LocalDate(2025, 11, 22), CancellationToken.None);
        Assert.Equal(0, rerun.TicketsOpened);

        // Listing: open tickets first, then resolved; paging.
        var page1 = await Tickets.ListAsync(null, 1, 3, CancellationToken.None);
        Assert.True(page1.Total >= 4);
        Assert.All(page1.Items, t => Assert.Equal("open", t.Status));
        var all = await Tickets.ListAsync(null, 1, 500, CancellationToken.None);
        var firstResolved = all.Items.ToList().FindIndex(t => t.Status != "open");
        Assert.True(firstResolved > 0);
        Assert.All(all.Items.Skip(firstResolved), t => Assert.NotEqual("open", t.Status));
        Assert.Equal(2, (await Tickets.ListAsync("accepted", 1, 10, CancellationToken.None)).Total + (await Tickets.ListAsync("rejected", 1, 10, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task Reconcile_WhileAnotherRunHoldsTheLock_Skips()
    {
        await using var conn = await app.Db.OpenAsync();
        await conn.ExecuteAsync("SELECT pg_advisory_lock(hashtextextended('autovolt:reconciliation', 0))");
        try
        {
            var summary = await Job.ReconcileAsync(null, CancellationToken.None);
            Assert.True(summary.Skipped);
            Assert.Equal(0, summary.TicketsOpened);
        }
        finally
        {
            await conn.ExecuteAsync("SELECT pg_advisory_unlock(hashtextextended('autovolt:reconciliation', 0))");
        }
        Assert.False((await Job.ReconcileAsync(null, CancellationToken.None)).Skipped);
    }

    [Fact]
    public void RecurringRegistration_NightlyAt0200InTheSiteZone()
    {
        using var storage = app.Factory.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection();
        var job = Assert.Single(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(storage), j => j.Id == AutoVolt.Infrastructure.Jobs.RecurringJobs.Reconciliation);
        Assert.Equal("0 2 * * *", job.Cron);
        Assert.Equal("Asia/Kolkata", job.TimeZoneId);
        Assert.Equal("ReconciliationJob", job.Job.Type.Name);
    }

    [Fact]
    public async Task TriggeredThroughHangfire_RunsAndStoresASummary()
    {
        await using var conn = await app.Db.OpenAsync();
        var before = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM job_runs WHERE job = 'reconciliation'");
        app.Factory.Services.GetRequiredService<Hangfire.IRecurringJobManager>().Trigger(AutoVolt.Infrastructure.Jobs.RecurringJobs.Reconciliation);
        var after = await Eventually.EqualAsync(before + 1, () => conn.ExecuteScalarAsync<int>("SELECT count(*) FROM job_runs WHERE job = 'reconciliation'"), 30_000);
        Assert.Equal(before + 1, after);
        // The run releases its lock just after storing the summary: wait for that, so the next test is not skipped.
        Assert.True(await Eventually.EqualAsync(true, () => conn.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_lock(hashtextextended('autovolt:reconciliation', 0))")));
        await conn.ExecuteAsync("SELECT pg_advisory_unlock(hashtextextended('autovolt:reconciliation', 0))");
    }
}
