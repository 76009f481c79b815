using System.Globalization;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AutoVolt.Web.Tests.Infrastructure.Ingestion;

public sealed class ExternalBrokerIngestionTests
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 5, 6, 0, 0, TimeSpan.Zero);

    private static AutoVoltAppFactory App(string cs, int brokerPort, string clientId) =>
        new AutoVoltAppFactory(cs)
            .With("Mqtt:Broker", string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{brokerPort}"))
            .With("Mqtt:ClientId", clientId)
            .With("Ledger:SettleSeconds", "3600");

    private static async Task<long> CountAsync(AutoVoltAppFactory app, string board)
    {
        await using var conn = await app.Services.GetRequiredService<AutoVoltDatabase>().OpenAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry_events WHERE esp32_name = @board", new { board });
    }

    [Fact]
    public async Task Mosquitto_PublishedReadings_AreStored_AndQueuedOnesArriveAfterRestart()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var cs = TestPostgres.CreateEmptyDatabase("ext");
        var clientId = "autovolt-ingest-" + Guid.NewGuid().ToString("N")[..6];

        await using (var app = App(cs, broker.Port, clientId))
        {
            _ = app.Server;
            await Eventually.EqualAsync(true, () => Task.FromResult(app.Services.GetRequiredService<AutoVolt.Infrastructure.Ingestion.IIngestionStatus>().Connected));
            await using var board = await MqttTestClient.ConnectAsync(broker.Port, "EXT01");
            for (var i = 0; i < 50; i++)
            {
                await board.PublishAsync("autovolt/EXT01/telemetry", MqttTestClient.Telemetry("EXT01", "light_1", T0.AddSeconds(i * 30), i, 40m, i));
            }
            Assert.Equal(50, await Eventually.EqualAsync(50L, () => CountAsync(app, "EXT01")));
        }

        // AutoVolt is down: the broker keeps QoS 1 messages for the persistent session.
        await using (var board = await MqttTestClient.ConnectAsync(broker.Port, "EXT01"))
        {
            for (var i = 50; i < 80; i++)
            {
                await board.PublishAsync("autovolt/EXT01/telemetry", MqttTestClient.Telemetry("EXT01", "light_1", T0.AddSeconds(i * 30), i, 40m, i));
            }
        }

        await using var again = App(cs, broker.Port, clientId);
        _ = again.Server;
        Assert.Equal(80, await Eventually.EqualAsync(80L, () => CountAsync(again, "EXT01")));
    }
}
