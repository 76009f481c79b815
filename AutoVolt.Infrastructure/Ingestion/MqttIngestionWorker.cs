using AutoVolt.Infrastructure.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using NodaTime;

namespace AutoVolt.Infrastructure.Ingestion;

/// <summary>
/// Ingestion from an external broker (Mqtt:Broker=mqtt://…): a persistent session
/// (CleanStart=false, session expiry) with manual acknowledgement only after the commit, reconnect
/// with backoff, and an optional shared-subscription group so several instances split the stream.
/// When a write fails nothing is acknowledged and the client reconnects, so the broker redelivers.
/// </summary>
public sealed partial class MqttIngestionWorker(IOptions<MqttOptions> options, IngestionPipeline pipeline, IClock clock, ILogger<MqttIngestionWorker> logger)
    : BackgroundService, IIngestionStatus
{
    private static readonly string[] Topics = ["autovolt/+/telemetry", "autovolt/+/heartbeat", "autovolt/+/status"];
    private IMqttClient? _client;
    private volatile bool _reconnectRequested;

    public bool Connected => _client?.IsConnected == true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var factory = new MqttClientFactory();
        _client = factory.CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false;
            _ = StoreThenAckAsync(e, stoppingToken);
            return Task.CompletedTask;
        };
        var o = options.Value;
        var uri = new Uri(o.Broker);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? (uri.Scheme == "mqtts" ? 8883 : 1883) : uri.Port)
            .WithClientId(o.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(7 * 24 * 3600)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30));
        if (!string.IsNullOrEmpty(o.Username))
        {
            builder = builder.WithCredentials(o.Username, o.Password ?? "");
        }
        if (uri.Scheme == "mqtts")
        {
            builder = builder.WithTlsOptions(t => t.UseTls(true).WithTargetHost(uri.Host));
        }
        var clientOptions = builder.Build();
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_reconnectRequested && _client.IsConnected)
                {
                    _reconnectRequested = false;
                    await _client.DisconnectAsync(cancellationToken: stoppingToken);
                }
                if (!_client.IsConnected)
                {
                    var connected = await _client.ConnectAsync(clientOptions, stoppingToken);
                    var subscribe = factory.CreateSubscribeOptionsBuilder();
                    foreach (var t in Topics)
                    {
                        var topic = string.IsNullOrEmpty(o.SharedGroup) ? t : $"$share/{o.SharedGroup}/{t}";
                        subscribe = subscribe.WithTopicFilter(f => f.WithTopic(topic).WithAtLeastOnceQoS());
                    }
                    await _client.SubscribeAsync(subscribe.Build(), stoppingToken);
                    LogConnected(logger, o.Broker, connected.IsSessionPresent);
                    delay = TimeSpan.FromSeconds(1);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogConnectFailed(logger, o.Broker, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2));
            }
        }
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(cancellationToken: CancellationToken.None);
        }
        _client.Dispose();
    }

    private async Task StoreThenAckAsync(MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
    {
        var payload = e.ApplicationMessage.Payload;
        var message = new IncomingMessage(e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(payload), clock.GetCurrentInstant());
        try
        {
            await pipeline.SubmitAsync(message, ct);
            await e.AcknowledgeAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Not stored: no ack; reconnect so the broker redelivers from the persistent session.
            // Logged once per reconnect (an outage fails every in-flight message; the pipeline logs each failed batch).
            if (!_reconnectRequested)
            {
                LogNotStored(logger, message.Topic, ex.Message);
            }
            _reconnectRequested = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion connected to {Broker} (session present: {SessionPresent})")]
    private static partial void LogConnected(ILogger logger, string broker, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion cannot reach {Broker}; retrying in {Seconds} s: {Error}")]
    private static partial void LogConnectFailed(ILogger logger, string broker, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message on {Topic} not stored and not acknowledged: {Error}")]
    private static partial void LogNotStored(ILogger logger, string topic, string error);
}
