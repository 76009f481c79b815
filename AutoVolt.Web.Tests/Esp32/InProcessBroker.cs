using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Server;

namespace AutoVolt.Web.Tests.Esp32;

/// <summary>An MQTTnet server on a free loopback port that records every publish it receives (with client id and user name).</summary>
internal sealed class InProcessBroker : IAsyncDisposable
{
    private readonly MqttServer _server;

    private InProcessBroker(MqttServer server, int port)
    {
        _server = server;
        Port = port;
        _server.ValidatingConnectionAsync += e =>
        {
            ConnectedUsers[e.ClientId] = e.UserName ?? string.Empty;
            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += e =>
        {
            Published.Enqueue(new Received(e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString(), e.ApplicationMessage.Retain, e.ClientId));
            return Task.CompletedTask;
        };
    }

    public int Port { get; }

    public ConcurrentQueue<Received> Published { get; } = new();

    public ConcurrentDictionary<string, string> ConnectedUsers { get; } = new();

    public MqttServer Server => _server;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static InProcessBroker Create(int port)
    {
        var factory = new MqttServerFactory();
        MqttServerOptions options = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(port)
            .Build();
        return new InProcessBroker(factory.CreateMqttServer(options), port);
    }

    public static async Task<InProcessBroker> StartAsync()
    {
        InProcessBroker broker = Create(FreePort());
        await broker.Server.StartAsync();
        return broker;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server.IsStarted)
        {
            await _server.StopAsync();
        }

        _server.Dispose();
    }

    internal sealed record Received(string Topic, string Payload, bool Retain, string ClientId);
}
