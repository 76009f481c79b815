using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;
using NodaTime;

namespace AutoVolt.Infrastructure.Ingestion;

/// <summary>
/// Ingestion for the embedded broker: each publish under <c>autovolt/</c> is handed to the group-commit
/// pipeline from the broker's publish interception. For QoS 1 the interception returns once the message
/// is queued and the broker holds the board's PUBACK until the commit that contains it
/// (<see cref="EmbeddedBroker.DeferAcknowledgement"/>), so one board can have many messages in one
/// batch while its PUBACK still means "in PostgreSQL". QoS 0 and 2 are stored inside the interception
/// (the broker awaits it before acknowledging or reading on). If the store fails, no ack is sent and the
/// board's connection is closed, so the board keeps the message and sends it again.
/// </summary>
public sealed partial class EmbeddedIngestion(EmbeddedBroker broker, IngestionPipeline pipeline, IClock clock, ILogger<EmbeddedIngestion> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        broker.InterceptingPublishAsync = InterceptAsync;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        broker.InterceptingPublishAsync = null;
        return Task.CompletedTask;
    }

    private async Task InterceptAsync(InterceptingPublishEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (!topic.StartsWith("autovolt/", StringComparison.Ordinal))
        {
            return;
        }
        var payload = e.ApplicationMessage.Payload;
        var message = new IncomingMessage(topic, System.Buffers.BuffersExtensions.ToArray(payload), clock.GetCurrentInstant());
        try
        {
            var committed = await pipeline.EnqueueAsync(message, e.CancellationToken);
            if (EmbeddedBroker.DeferAcknowledgement(e, committed))
            {
                return;
            }
            if (!await committed.WaitAsync(e.CancellationToken))
            {
                throw new IngestionUnavailableException("The batch write failed.");
            }
        }
        catch (Exception ex)
        {
            LogNotStored(logger, e.ClientId, topic, ex.Message);
            e.ProcessPublish = false;
            e.CloseConnection = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publish from {ClientId} on {Topic} not stored, connection closed without ack: {Error}")]
    private static partial void LogNotStored(ILogger logger, string clientId, string topic, string error);
}
