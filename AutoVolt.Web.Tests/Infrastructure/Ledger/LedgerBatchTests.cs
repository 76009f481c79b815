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
        await scope.ServiceProvider.GetRequiredService<AggregationJob>().RunAsync(CancellationToken.None);

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
}
