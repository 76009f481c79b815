using System.Net;
using AutoVolt.Infrastructure.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace AutoVolt.Infrastructure.Ingestion;

/// <summary>
/// The in-process MQTTnet broker (Mqtt:Broker=embedded). A board's PUBACK is sent only after
/// <see cref="InterceptingPublishAsync"/> handlers complete and, if the handler called
/// <see cref="DeferAcknowledgement"/>, only after the given commit succeeded: the board's own
/// acknowledgement then means "in PostgreSQL".
/// Off loopback (or with Mqtt:RequireBoardCredentials) every client must authenticate as its board
/// (username = esp32_name, secret from <see cref="BoardCredentialStore"/>) and may publish only under
/// <c>autovolt/&lt;its name&gt;/</c>; other publishes are refused (not stored, PUBACK NotAuthorized).
/// </summary>
public sealed partial class EmbeddedBroker(IOptions<MqttOptions> options, ILogger<EmbeddedBroker> logger, BoardCredentialStore? credentials = null)
    : IHostedService, IAsyncDisposable
{
    private const string BoardSessionKey = "autovolt.board";
    private MqttServer? _server;
    private long _withheldAcks;
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

    /// <summary>QoS 1 PUBACKs that were held back because their commit failed (the client was disconnected instead).</summary>
    public long WithheldAcknowledgements => Interlocked.Read(ref _withheldAcks);

    /// <summary>
    /// Lets the publish in <paramref name="e"/> (QoS 1) be acknowledged only after <paramref name="committed"/> completes with
    /// <c>true</c>, without holding up the client's next packets: MQTTnet reads one client's packets one at a time and awaits
    /// <see cref="InterceptingPublishAsync"/> before reading the next, but it sends the PUBACK from the session's separate send
    /// loop, through the outbound packet interception, where this broker awaits <paramref name="committed"/>. So a board can
    /// have several messages in the pipeline, and each PUBACK still means "committed". If <paramref name="committed"/> is
    /// <c>false</c> or cancelled, the PUBACK is never sent and the connection is closed, so the board keeps the message and
    /// sends it again after reconnecting. PUBACKs leave in the order of the publishes (MQTT requires it): the send loop
    /// waits for each in turn, which costs nothing when commits complete in order (one writer).
    /// Returns false (nothing deferred; the caller must store before returning) for QoS 0 and 2: QoS 0 has no PUBACK, and a
    /// QoS 2 PUBREC is not deferred here.
    /// </summary>
    public static bool DeferAcknowledgement(InterceptingPublishEventArgs e, Task<bool> committed)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(committed);
        if (e.ApplicationMessage.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtLeastOnce)
        {
            return false;
        }
        // MQTTnet copies Response.UserProperties (the list instance) into the PUBACK packet it creates for this publish, and that
        // packet object is what the outbound interception sees: the marker list ties the PUBACK to its commit, whatever its
        // packet identifier (identifiers are reused and survive reconnects). It is empty and removed before sending.
        e.Response.UserProperties = new PendingCommit(committed);
        return true;
    }

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
        _server.InterceptingOutboundPacketAsync += HoldAcknowledgementAsync;
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

    /// <summary>Runs in the client's send loop before each outgoing packet: a deferred PUBACK waits here for its commit.</summary>
    private async Task HoldAcknowledgementAsync(InterceptingPacketEventArgs e)
    {
        if (e.Packet is not MqttPubAckPacket { UserProperties: PendingCommit pending } ack)
        {
            return;
        }
        ack.UserProperties = null;
        bool stored;
        try
        {
            stored = await pending.Committed.WaitAsync(e.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The connection is closing or the pipeline stopped: no PUBACK; the board sends the message again.
            e.ProcessPacket = false;
            return;
        }
        if (stored)
        {
            return;
        }
        e.ProcessPacket = false;
        Interlocked.Increment(ref _withheldAcks);
        LogAckWithheld(logger, e.ClientId, ack.PacketIdentifier);
        // Close this connection (not a newer one of the same client id) so the board reconnects and retransmits.
        // Off the send loop: stopping a client sends its DISCONNECT through this same interception.
        var server = _server;
        var clientId = e.ClientId;
        var endpoint = e.RemoteEndPoint;
        _ = Task.Run(() => DisconnectAsync(server, clientId, endpoint), CancellationToken.None);
    }

    private async Task DisconnectAsync(MqttServer? server, string clientId, EndPoint? endpoint)
    {
        try
        {
            if (server is not { IsStarted: true })
            {
                return;
            }
            foreach (var client in await server.GetClientsAsync())
            {
                if (client.Id == clientId && Equals(client.RemoteEndPoint, endpoint))
                {
                    await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.UnspecifiedError });
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            LogDisconnectFailed(logger, clientId, ex.Message);
        }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "PUBACK {PacketId} to {ClientId} withheld (the message was not stored); closing the connection so it is sent again")]
    private static partial void LogAckWithheld(ILogger logger, string clientId, ushort packetId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the connection of {ClientId} after a withheld PUBACK failed: {Error}")]
    private static partial void LogDisconnectFailed(ILogger logger, string clientId, string error);

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

    /// <summary>The marker put on a deferred PUBACK (an empty user-property list; see <see cref="DeferAcknowledgement"/>).</summary>
    private sealed class PendingCommit(Task<bool> committed) : List<MqttUserProperty>
    {
        public Task<bool> Committed { get; } = committed;
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
