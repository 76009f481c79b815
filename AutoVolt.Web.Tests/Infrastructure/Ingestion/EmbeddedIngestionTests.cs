using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ingestion;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace AutoVolt.Web.Tests.Infrastructure.Ingestion;

public sealed class EmbeddedAppFixture : IAsyncLifetime
{
    public AutoVoltAppFactory Factory { get; } = new AutoVoltAppFactory().With("Ledger:SettleSeconds", "3600");

    public AutoVoltDatabase Db => Factory.Services.GetRequiredService<AutoVoltDatabase>();

    public IngestionPipeline Pipeline => Factory.Services.GetRequiredService<IngestionPipeline>();

    public Task InitializeAsync()
    {
        _ = Factory.Server; // start the host (broker, pipeline)
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    public async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var conn = await Db.OpenAsync();
        return await conn.ExecuteScalarAsync<long>(sql, args);
    }
}

public sealed class EmbeddedIngestionTests(EmbeddedAppFixture app) : IClassFixture<EmbeddedAppFixture>
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 5, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Publish_QoS1ToEmbeddedBroker_RowIsStoredBeforeThePubAck()
    {
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "ESP10");
        var result = await board.PublishAsync("autovolt/ESP10/telemetry", MqttTestClient.Telemetry("ESP10", "light_1", T0, 100m, 40m, 1));
        Assert.True(result.IsSuccess, result.ReasonString);
        // No waiting: the PUBACK means "in PostgreSQL".
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM telemetry_events WHERE device_key = 'ESP10/light_1'"));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM devices WHERE device_key = 'ESP10/light_1' AND classroom = 'CR-101'"));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM boards WHERE esp32_name = 'ESP10'"));
    }

    [Fact]
    public async Task Publish_SameReadingThreeTimes_StoredOnce()
    {
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "ESP11");
        var payload = MqttTestClient.Telemetry("ESP11", "fan_1", T0, 500m, 70m, 7);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await board.PublishAsync("autovolt/ESP11/telemetry", payload)).IsSuccess);
        }
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM telemetry_events WHERE device_key = 'ESP11/fan_1'"));
        // A different measured value is a different reading.
        Assert.True((await board.PublishAsync("autovolt/ESP11/telemetry", MqttTestClient.Telemetry("ESP11", "fan_1", T0, 500.5m, 70m, 7))).IsSuccess);
        Assert.Equal(2, await app.CountAsync("SELECT count(*) FROM telemetry_events WHERE device_key = 'ESP11/fan_1'"));
    }

    [Theory]
    [InlineData("autovolt/ESP12/telemetry", "not json", "JSON")]
    [InlineData("autovolt/ESP12/telemetry", "{\"esp32_name\":\"OTHER\",\"device_id\":\"x\",\"power_w\":1}", "topic")]
    [InlineData("autovolt/ESP12/telemetry", "{\"esp32_name\":\"ESP12\",\"device_id\":\"x\",\"power_w\":-5}", "power_w")]
    [InlineData("autovolt/ESP12/status", "maybe", "status")]
    [InlineData("autovolt/ESP12/unknown", "{}", "topic")]
    public async Task Publish_InvalidMessage_IsQuarantinedWithReason(string topic, string payload, string reasonContains)
    {
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "ESP12-" + Guid.NewGuid().ToString("N")[..4]);
        var before = await app.CountAsync("SELECT count(*) FROM quarantined_messages WHERE topic = @topic", new { topic });
        Assert.True((await board.PublishAsync(topic, payload)).IsSuccess);
        Assert.Equal(before + 1, await app.CountAsync("SELECT count(*) FROM quarantined_messages WHERE topic = @topic", new { topic }));
        await using var conn = await app.Db.OpenAsync();
        var (reason, field, raw) = await conn.QuerySingleAsync<(string, string?, byte[])>(
            "SELECT reason, field, payload FROM quarantined_messages WHERE topic = @topic ORDER BY id DESC LIMIT 1", new { topic });
        Assert.Contains(reasonContains, reason + " " + field, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(payload, System.Text.Encoding.UTF8.GetString(raw));
    }

    [Fact]
    public async Task StatusAndHeartbeat_UpdatePresenceAndClockOffset()
    {
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "ESP13", MqttProtocolVersion.V311);
        var now = DateTimeOffset.UtcNow;
        Assert.True((await board.PublishAsync("autovolt/ESP13/status", "online", retain: true)).IsSuccess);
        var hb = $"{{\"esp32_name\":\"ESP13\",\"timestamp\":\"{now.AddMinutes(7):yyyy-MM-ddTHH:mm:ssZ}\",\"uptime_seconds\":100,\"wifi_rssi\":-50}}";
        Assert.True((await board.PublishAsync("autovolt/ESP13/heartbeat", hb)).IsSuccess);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM boards WHERE esp32_name = 'ESP13' AND last_status = 'online'"));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM heartbeats WHERE esp32_name = 'ESP13'"));
        var offsetMs = await app.CountAsync("SELECT clock_offset_ms FROM boards WHERE esp32_name = 'ESP13'");
        Assert.InRange(offsetMs, 6 * 60_000, 8 * 60_000);
    }

    [Fact]
    public async Task EveryAcceptedMessage_IsEventDuplicateOrQuarantined()
    {
        // Invariant 5 over a mixed stream of 200 messages from 4 boards.
        var rng = new Random(5);
        var clients = new List<MqttTestClient>();
        for (var b = 0; b < 4; b++)
        {
            clients.Add(await MqttTestClient.ConnectAsync(app.Factory.MqttPort, $"INV{b}"));
        }
        var distinctValid = new HashSet<string>();
        var invalid = 0;
        var tasks = new List<Task>();
        for (var i = 0; i < 200; i++)
        {
            var b = rng.Next(4);
            string payload;
            if (rng.Next(10) == 0)
            {
                payload = "{\"esp32_name\":\"INV" + b + "\",\"device_id\":\"d\"}"; // neither power nor energy
                invalid++;
            }
            else
            {
                var seq = rng.Next(60);
                payload = MqttTestClient.Telemetry($"INV{b}", "d", T0.AddSeconds(seq * 10), seq * 2m, 10m, seq);
                distinctValid.Add(payload);
            }
            tasks.Add(clients[b].PublishAsync($"autovolt/INV{b}/telemetry", payload));
        }
        await Task.WhenAll(tasks);
        Assert.Equal(distinctValid.Count, await app.CountAsync("SELECT count(*) FROM telemetry_events WHERE esp32_name LIKE 'INV%'"));
        Assert.Equal(invalid, await app.CountAsync("SELECT count(*) FROM quarantined_messages WHERE topic LIKE 'autovolt/INV%'"));
        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Publish_ManyInFlightFromOneBoard_EachPubAckOnlyAfterItsCommitAndBatchedTogether()
    {
        // One board, 300 readings, all 300 unacknowledged at once. PUBACKs come back in publish order, so when the PUBACK of
        // reading i arrives, readings 0..i must already be committed (the pipeline counts them before releasing the acks).
        const int n = 300;
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "PIPE1");
        var storedBefore = app.Pipeline.Stored;
        var batchesBefore = app.Pipeline.Batches;
        var storedAtAck = new long[n];
        var tasks = new Task[n];
        for (var i = 0; i < n; i++)
        {
            var index = i;
            tasks[i] = board.PublishAsync("autovolt/PIPE1/telemetry", MqttTestClient.Telemetry("PIPE1", "light_1", T0.AddSeconds(i * 10), i, 40m, i))
                .ContinueWith(t =>
                {
                    Assert.True(t.Result.IsSuccess, t.Result.ReasonString);
                    storedAtAck[index] = app.Pipeline.Stored - storedBefore;
                }, TaskContinuationOptions.ExecuteSynchronously);
        }
        await Task.WhenAll(tasks);
        for (var i = 0; i < n; i++)
        {
            Assert.True(storedAtAck[i] >= i + 1, $"PUBACK of reading {i} arrived when only {storedAtAck[i]} readings were committed");
        }
        Assert.Equal(n, await app.CountAsync("SELECT count(*) FROM telemetry_events WHERE esp32_name = 'PIPE1'"));
        // The board's messages were pipelined: fewer commits than messages (with one message in flight it would be n commits).
        var batches = app.Pipeline.Batches - batchesBefore;
        Assert.True(batches < n, $"{batches} commits for {n} messages of one board: acknowledgements are not pipelined");
    }

    [Fact]
    public async Task Publish_QoS2_StoredBeforeTheHandshakeCompletes()
    {
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "QOS2");
        var result = await board.PublishAsync("autovolt/QOS2/telemetry", MqttTestClient.Telemetry("QOS2", "light_1", T0, 5m, 40m, 1),
            qos: MqttQualityOfServiceLevel.ExactlyOnce);
        Assert.True(result.IsSuccess, result.ReasonString);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM telemetry_events WHERE device_key = 'QOS2/light_1'"));
    }

    [Fact]
    public async Task Publish_QoS0_IsStored()
    {
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "QOS0");
        for (var i = 0; i < 5; i++)
        {
            await board.PublishAsync("autovolt/QOS0/telemetry", MqttTestClient.Telemetry("QOS0", "light_1", T0.AddSeconds(i * 10), i, 40m, i),
                qos: MqttQualityOfServiceLevel.AtMostOnce);
        }
        Assert.Equal(5L, await Eventually.EqualAsync(5L, () => app.CountAsync("SELECT count(*) FROM telemetry_events WHERE device_key = 'QOS0/light_1'")));
    }

    [Fact]
    public async Task Publish_OutsideAutovoltTopics_AcknowledgedAndNotStored()
    {
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "OTHER1");
        var receivedBefore = app.Pipeline.Received;
        var result = await board.PublishAsync("lab/OTHER1/telemetry", MqttTestClient.Telemetry("OTHER1", "light_1", T0, 5m, 40m, 1));
        Assert.True(result.IsSuccess, result.ReasonString);
        Assert.Equal(receivedBefore, app.Pipeline.Received);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM telemetry_events WHERE esp32_name = 'OTHER1'"));
    }
}
