using System.Net;
using AutoVolt.Infrastructure.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace AutoVolt.Infrastructure.Ingestion;

/// <summary>
/// The in-process MQTTnet broker (Mqtt:Broker=embedded). A board's PUBACK is sent only after
/// <see cref="InterceptingPublishAsync"/> handlers complete, so ingestion stores each message
/// there: the board's own acknowledgement then means "in PostgreSQL".
/// </summary>
public sealed class EmbeddedBroker(IOptions<MqttOptions> options, ILogger<EmbeddedBroker> logger) : IHostedService, IAsyncDisposable
{
    private MqttServer? _server;

    /// <summary>Awaited before the broker acknowledges a publish (set by ingestion).</summary>
    public Func<InterceptingPublishEventArgs, Task>? InterceptingPublishAsync { get; set; }

    public bool IsRunning => _server?.IsStarted == true;

    public int Port { get; private set; }

    public MqttServer Server => _server ?? throw new InvalidOperationException("The embedded broker is not started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var address = IPAddress.Parse(o.ListenAddress);
        var loopback = IPAddress.IsLoopback(address);
        var factory = new MqttServerFactory();
        var serverOptions = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(address)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(o.ListenPort)
            .WithPersistentSessions()
            .Build();
        _server = factory.CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += e =>
        {
            if (string.IsNullOrEmpty(e.ClientId))
            {
                e.AssignedClientIdentifier = "anon-" + Guid.NewGuid().ToString("N");
            }
            if (!loopback)
            {
                // Off loopback every board needs its own credentials (not implemented for the embedded broker):
                // use an external broker with per-board users and an ACL (deploy/mosquitto).
                e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            }
            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += e => InterceptingPublishAsync?.Invoke(e) ?? Task.CompletedTask;
        try
        {
            await _server.StartAsync();
        }
        catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            throw new InvalidOperationException(
                $"The embedded MQTT broker cannot listen on {address}:{o.ListenPort}: the port is already in use (another broker?). " +
                "Set Mqtt:ListenPort to a free port, or use that broker with Mqtt:Broker=mqtt://host:port.", ex);
        }
        Port = o.ListenPort;
        logger.LogInformation("Embedded MQTT broker listening on {Address}:{Port}", address, o.ListenPort);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; _server is { IsStarted: true }; attempt++)
        {
            try
            {
                await _server.StopAsync();
            }
            catch (InvalidOperationException ex) when (attempt < 3)
            {
                // MQTTnet 5.2 race: MqttTcpServerAdapter.Cleanup enumerates its connections while a client that
                // disconnected a moment ago is being removed ("Collection was modified"). The server then usually
                // reports itself stopped (the loop ends; DisposeAsync releases the listeners); if not, stop again.
                logger.LogWarning(ex, "Embedded MQTT broker stop raced with a disconnecting client; retrying");
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        var server = Interlocked.Exchange(ref _server, null);
        if (server is not null)
        {
            if (server.IsStarted)
            {
                await server.StopAsync();
            }
            server.Dispose();
        }
    }
}
