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
/// Off loopback (or with Mqtt:RequireBoardCredentials) every client must authenticate as its board
/// (username = esp32_name, secret from <see cref="BoardCredentialStore"/>) and may publish only under
/// <c>autovolt/&lt;its name&gt;/</c>; other publishes are refused (not stored, PUBACK NotAuthorized).
/// </summary>
public sealed partial class EmbeddedBroker(IOptions<MqttOptions> options, ILogger<EmbeddedBroker> logger, BoardCredentialStore? credentials = null)
    : IHostedService, IAsyncDisposable
{
    private const string BoardSessionKey = "autovolt.board";
    private MqttServer? _server;
    private long _refusedConnections;
    private long _refusedPublishes;

    /// <summary>Connections refused for missing or wrong board credentials.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    /// <summary>Publishes (and subscriptions) refused because the topic is outside the board's own <c>autovolt/&lt;name&gt;/</c>.</summary>
    public long RefusedPublishes => Interlocked.Read(ref _refusedPublishes);

    /// <summary>Whether clients must present board credentials.</summary>
    public bool RequiresCredentials { get; private set; }

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
        RequiresCredentials = o.RequireBoardCredentials || !loopback;
        if (RequiresCredentials && credentials is null)
        {
            throw new InvalidOperationException("The embedded broker requires board credentials but has no credential store.");
        }
        _server = factory.CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingPublishAsync += e =>
        {
            if (RequiresCredentials && !MayPublish(e))
            {
                Interlocked.Increment(ref _refusedPublishes);
                LogPublishRefused(logger, e.ClientId, e.UserName ?? "", e.ApplicationMessage.Topic);
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
                return Task.CompletedTask;
            }
            return InterceptingPublishAsync?.Invoke(e) ?? Task.CompletedTask;
        };
        _server.InterceptingSubscriptionAsync += e =>
        {
            // A board may read only its own topics (e.g. commands), never another board's telemetry.
            if (RequiresCredentials && !(e.SessionItems?[BoardSessionKey] is string board
                && e.TopicFilter.Topic.StartsWith("autovolt/" + board + "/", StringComparison.Ordinal)))
            {
                Interlocked.Increment(ref _refusedPublishes);
                LogSubscriptionRefused(logger, e.ClientId, e.UserName ?? "", e.TopicFilter.Topic);
                e.ProcessSubscription = false;
                e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            }
            return Task.CompletedTask;
        };
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

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId))
        {
            e.AssignedClientIdentifier = "anon-" + Guid.NewGuid().ToString("N");
        }
        if (!RequiresCredentials)
        {
            return;
        }
        var user = e.UserName ?? "";
        bool ok;
        try
        {
            ok = await credentials!.VerifyAsync(user, e.Password ?? "", CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LogCredentialCheckFailed(logger, e.ClientId, ex.Message);
            e.ReasonCode = MqttConnectReasonCode.ServerUnavailable;
            return;
        }
        if (!ok)
        {
            Interlocked.Increment(ref _refusedConnections);
            LogConnectionRefused(logger, e.ClientId, user, e.RemoteEndPoint?.ToString() ?? "");
            e.ReasonCode = string.IsNullOrEmpty(user) ? MqttConnectReasonCode.NotAuthorized : MqttConnectReasonCode.BadUserNameOrPassword;
            return;
        }
        e.SessionItems[BoardSessionKey] = user;
    }

    private static bool MayPublish(InterceptingPublishEventArgs e) =>
        e.SessionItems?[BoardSessionKey] is string board
        && string.Equals(e.UserName, board, StringComparison.Ordinal)
        && e.ApplicationMessage.Topic.StartsWith("autovolt/" + board + "/", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection of client {ClientId} (user '{UserName}', {Remote}) refused: missing or wrong board credentials")]
    private static partial void LogConnectionRefused(ILogger logger, string clientId, string userName, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection of client {ClientId} refused: credentials could not be checked: {Error}")]
    private static partial void LogCredentialCheckFailed(ILogger logger, string clientId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription of client {ClientId} (board '{UserName}') to {Filter} refused: outside autovolt/<board>/")]
    private static partial void LogSubscriptionRefused(ILogger logger, string clientId, string userName, string filter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publish of client {ClientId} (board '{UserName}') on {Topic} refused: outside autovolt/<board>/")]
    private static partial void LogPublishRefused(ILogger logger, string clientId, string userName, string topic);

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
