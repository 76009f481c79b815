using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Formatter;

namespace AutoVolt.Web.Tests.Esp32;

/// <summary>An MQTT v5 client subscribed to <c>autovolt/#</c> that records what it receives.</summary>
internal sealed class TestSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    private TestSubscriber()
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Messages.Enqueue(new InProcessBroker.Received(e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString(), e.ApplicationMessage.Retain, e.ClientId));
            return Task.CompletedTask;
        };
    }

    public ConcurrentQueue<InProcessBroker.Received> Messages { get; } = new();

    public static async Task<TestSubscriber> ConnectAsync(int port, string clientId)
    {
        var subscriber = new TestSubscriber();
        await subscriber._client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .Build());
        await subscriber._client.SubscribeAsync(new MqttClientFactory().CreateSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("autovolt/#").WithAtLeastOnceQoS().WithRetainAsPublished(true))
            .Build());
        return subscriber;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions());
        }

        _client.Dispose();
    }
}
