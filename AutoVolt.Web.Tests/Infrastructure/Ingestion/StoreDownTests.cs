using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ingestion;
using AutoVolt.Web.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace AutoVolt.Web.Tests.Infrastructure.Ingestion;

public sealed class StoreDownTests
{
    [Fact]
    public async Task EmbeddedBroker_DatabaseUnreachable_BoardGetsNoAckAndIsDisconnected()
    {
        var port = TestPorts.Free();
        var deadDbPort = TestPorts.Free(); // nothing listens there
        await using var db = new AutoVoltDatabase($"Host=127.0.0.1;Port={deadDbPort};Username=x;Password=x;Database=x;Timeout=2");
        var pipeline = new IngestionPipeline(new IngestionBatchWriter(db), Options.Create(new LedgerOptions()), NullLogger<IngestionPipeline>.Instance);
        await using var broker = new EmbeddedBroker(Options.Create(new MqttOptions { ListenPort = port }), NullLogger<EmbeddedBroker>.Instance);
        var ingestion = new EmbeddedIngestion(broker, pipeline, SystemClock.Instance, NullLogger<EmbeddedIngestion>.Instance);
        await pipeline.StartAsync(CancellationToken.None);
        await broker.StartAsync(CancellationToken.None);
        await ingestion.StartAsync(CancellationToken.None);
        try
        {
            await using var board = await MqttTestClient.ConnectAsync(port, "ESPDOWN");
            var payload = MqttTestClient.Telemetry("ESPDOWN", "light_1", DateTimeOffset.UtcNow.AddMinutes(-1), 1m, 40m, 1);
            var acked = false;
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                var result = await board.PublishAsync("autovolt/ESPDOWN/telemetry", payload, ct: cts.Token);
                acked = result.IsSuccess;
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or MQTTnet.Exceptions.MqttClientNotConnectedException)
            {
            }
            Assert.False(acked, "a message that could not be stored must not be acknowledged");
            Assert.Equal(1, pipeline.FailedBatches);
            await Eventually.EqualAsync(false, () => Task.FromResult(board.IsConnected));
            Assert.False(board.IsConnected);
        }
        finally
        {
            await ingestion.StopAsync(CancellationToken.None);
            await broker.StopAsync(CancellationToken.None);
            await pipeline.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task EmbeddedBroker_DatabaseUnreachable_ManyInFlight_NoneAckedAndDisconnected()
    {
        // With acknowledgements deferred to the send loop, 20 unacknowledged publishes of one board are queued at once;
        // none of them may be acknowledged when their batch cannot be written.
        var port = TestPorts.Free();
        var deadDbPort = TestPorts.Free();
        await using var db = new AutoVoltDatabase($"Host=127.0.0.1;Port={deadDbPort};Username=x;Password=x;Database=x;Timeout=2");
        var pipeline = new IngestionPipeline(new IngestionBatchWriter(db), Options.Create(new LedgerOptions()), NullLogger<IngestionPipeline>.Instance);
        await using var broker = new EmbeddedBroker(Options.Create(new MqttOptions { ListenPort = port }), NullLogger<EmbeddedBroker>.Instance);
        var ingestion = new EmbeddedIngestion(broker, pipeline, SystemClock.Instance, NullLogger<EmbeddedIngestion>.Instance);
        await pipeline.StartAsync(CancellationToken.None);
        await broker.StartAsync(CancellationToken.None);
        await ingestion.StartAsync(CancellationToken.None);
        try
        {
            await using var board = await MqttTestClient.ConnectAsync(port, "ESPDOWN2");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var publishes = Enumerable.Range(0, 20).Select(async i =>
            {
                var payload = MqttTestClient.Telemetry("ESPDOWN2", "light_1", DateTimeOffset.UtcNow.AddMinutes(-10 + i), i, 40m, i);
                try
                {
                    return (await board.PublishAsync("autovolt/ESPDOWN2/telemetry", payload, ct: cts.Token)).IsSuccess;
                }
                catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException
                    or MQTTnet.Exceptions.MqttClientNotConnectedException)
                {
                    return false;
                }
            }).ToList();
            var acked = await Task.WhenAll(publishes);
            Assert.Equal(0, acked.Count(a => a));
            Assert.True(pipeline.FailedBatches >= 1);
            Assert.True(broker.WithheldAcknowledgements >= 1, "the failed commit must have held back a PUBACK");
            Assert.False(await Eventually.EqualAsync(false, () => Task.FromResult(board.IsConnected)));
        }
        finally
        {
            await ingestion.StopAsync(CancellationToken.None);
            await broker.StopAsync(CancellationToken.None);
            await pipeline.StopAsync(CancellationToken.None);
        }
    }
}
