using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Ledger;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AutoVolt.Web.Tests.Infrastructure.Ledger;

/// <summary>
/// The batched ledger job: devices are locked together without waiting; a device another worker holds is skipped in its
/// batch and accounted at the end of the run once that worker lets go (site Asia/Kolkata, 8 INR/kWh).
/// </summary>
public sealed class LedgerBatchTests(KolkataScenarioApp app) : IClassFixture<KolkataScenarioApp>
{
    [Fact]
    public async Task DeviceHeldByAnotherWorker_RunAccountsTheOthersThenWaits_HeldDeviceAccountedOnceReleased()
    {
        var t0 = new DateTimeOffset(2025, 11, 24, 5, 0, 0, TimeSpan.Zero); // 10:30 IST
        string[] keys = ["SCLCK0/light_1", "SCLCK1/light_1", "SCLCK2/light_1"];
        await using var holder = await app.Db.OpenAsync();
        await using var held = await holder.BeginTransactionAsync();
        Assert.True(await LedgerStore.TryLockDeviceAsync(holder, keys[1], CancellationToken.None));
        for (var b = 0; b < keys.Length; b++)
        {
            var name = $"SCLCK{b}";
            await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, name);
            for (var i = 0; i <= 4; i++)
            {
                await board.PublishAsync($"autovolt/{name}/telemetry", MqttTestClient.Telemetry(name, "light_1", t0.AddMinutes(5 * i), 100m + (i * (b + 1)), 40m, i));
            }
        }

        using var scope = app.Factory.Services.CreateScope();
        var run = Task.Run(() => scope.ServiceProvider.GetRequiredService<LedgerJob>().RunAsync(CancellationToken.None));
        // The free devices are accounted (4 intervals each) while the held one waits.
        Assert.Equal(8L, await Eventually.EqualAsync(8L, async () => await app.RowCountAsync(keys[0]) + await app.RowCountAsync(keys[2])));
        await Task.Delay(300);
        Assert.False(run.IsCompleted);
        Assert.Equal(0L, await app.RowCountAsync(keys[1]));

        await held.CommitAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        await Accounting.AggregateAllAsync(app.Factory.Services);

        for (var b = 0; b < keys.Length; b++)
        {
            // 4 intervals of (b + 1) Wh each; one row per interval, nothing twice.
            Assert.Equal(4L, await app.RowCountAsync(keys[b]));
            Assert.Equal(4m * (b + 1), (await app.DayAsync(keys[b], "2025-11-24")).EnergyWh);
        }
        await using var conn = await app.Db.OpenAsync();
        Assert.Equal(3, await conn.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM ledger_cursors WHERE device_key = ANY(@keys) AND last_event_id IS NOT NULL", new { keys }));
        await app.AssertInvariantsAsync(keys);
    }

    [Fact]
    public async Task MoreDevicesThanOneCountingChunk_OneRunAccountsEveryDevice_AndASecondRunAppendsNothing()
    {
        // 2.5 chunks of pending devices (LedgerJob.PendingChunkDevices), each with three readings 5 min apart (+2 Wh, +3 Wh).
        var devices = (LedgerJob.PendingChunkDevices * 5 / 2) + 1;
        await using var conn = await app.Db.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at) SELECT 'SCCH' || i, 'CR', now(), now() FROM generate_series(1, @devices) i;
            INSERT INTO devices (device_key, esp32_name, device_id, classroom, first_seen_at, last_seen_at)
                SELECT 'SCCH' || i || '/light_1', 'SCCH' || i, 'light_1', 'CR', now(), now() FROM generate_series(1, @devices) i;
            INSERT INTO telemetry_events (dedup_hash, device_key, esp32_name, device_id, board_ts, reading_ts, received_at, power_w, energy_wh_total,
                    switch_state, sequence_no, raw_payload)
                SELECT sha256(convert_to('SCCH' || i || '/' || n, 'UTF8')), 'SCCH' || i || '/light_1', 'SCCH' || i, 'light_1',
                       '2025-11-25T05:00Z'::timestamptz + n * interval '5 minutes', '2025-11-25T05:00Z'::timestamptz + n * interval '5 minutes',
                       now() - interval '1 minute', 40, 100 + (ARRAY[0, 2, 5])[n + 1], '{"light_1": true}', n, '\x7b7d'
                FROM generate_series(1, @devices) i CROSS JOIN generate_series(0, 2) n;
            """, new { devices });

        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<LedgerJob>().RunAsync(CancellationToken.None);
        }
        var perDevice = (await conn.QueryAsync<(string Key, long Rows, decimal Wh)>("""
            SELECT d.device_key, count(l.id), coalesce(sum(l.energy_wh), 0) FROM devices d LEFT JOIN ledger_entries l ON l.device_key = d.device_key
            WHERE d.device_key LIKE 'SCCH%' GROUP BY d.device_key
            """)).ToList();
        Assert.Equal(devices, perDevice.Count);
        Assert.All(perDevice, d => Assert.Equal((2L, 5m), (d.Rows, d.Wh)));

        using (var scope = app.Factory.Services.CreateScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<LedgerJob>().RunAsync(CancellationToken.None));
        }
    }
}

/// <summary>A device whose events cannot be accounted does not hold up the other devices of its batch (own app and database).</summary>
public sealed class LedgerBatchFailureTests(KolkataScenarioApp app) : IClassFixture<KolkataScenarioApp>
{
    [Fact]
    public async Task OneDeviceFails_OthersOfTheBatchStillAccounted_RunReportsTheFailure()
    {
        var t0 = new DateTimeOffset(2025, 11, 25, 5, 0, 0, TimeSpan.Zero); // 10:30 IST
        const string good = "SCBAD0/light_1";
        const string bad = "SCBAD1/light_1";
        await using (var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SCBAD0"))
        {
            for (var i = 0; i <= 4; i++)
            {
                await board.PublishAsync("autovolt/SCBAD0/telemetry", MqttTestClient.Telemetry("SCBAD0", "light_1", t0.AddMinutes(5 * i), 100m + (2 * i), 40m, i));
            }
        }
        await using (var conn = await app.Db.OpenAsync())
        {
            // Stored directly (ingestion would never store it): a switch state whose value is not a boolean cannot be read.
            await conn.ExecuteAsync("""
                INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at) VALUES ('SCBAD1', 'CR', now(), now());
                INSERT INTO devices (device_key, esp32_name, device_id, classroom, first_seen_at, last_seen_at)
                    VALUES ('SCBAD1/light_1', 'SCBAD1', 'light_1', 'CR', now(), now());
                INSERT INTO telemetry_events (dedup_hash, device_key, esp32_name, device_id, classroom, board_ts, reading_ts, received_at,
                    power_w, energy_wh_total, switch_state, sequence_no, raw_payload)
                SELECT sha256(('bad' || i)::bytea), 'SCBAD1/light_1', 'SCBAD1', 'light_1', 'CR', t, t, t, 40, 100 + i, '{"light_1": 1}', i, '\x7b7d'
                FROM generate_series(0, 4) i, LATERAL (SELECT timestamptz '2025-11-25T05:00:00Z' + i * interval '5 minutes' AS t) x;
                """);
        }

        using var scope = app.Factory.Services.CreateScope();
        var ex = await Assert.ThrowsAsync<AggregateException>(() => scope.ServiceProvider.GetRequiredService<LedgerJob>().RunAsync(CancellationToken.None));

        Assert.Single(ex.InnerExceptions);
        Assert.Equal(4L, await app.RowCountAsync(good));
        Assert.Equal(0L, await app.RowCountAsync(bad));
        // The app's own triggers may be aggregating the same dirty day right now (claims skip locked days): run the job
        // until the day's aggregate is there.
        var energy = await Eventually.EqualAsync(8m, async () =>
        {
            await scope.ServiceProvider.GetRequiredService<AggregationJob>().RunAsync(CancellationToken.None);
            await using var conn = await app.Db.OpenAsync();
            return await conn.ExecuteScalarAsync<decimal?>(
                "SELECT energy_wh FROM daily_aggregates WHERE device_key = @good AND local_date = '2025-11-25'", new { good }) ?? -1m;
        });
        Assert.Equal(8m, energy);
    }
}
