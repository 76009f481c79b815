using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;
using NodaTime;

namespace AutoVolt.Infrastructure.Ingestion;

/// <summary>
/// Ingestion for the embedded broker: each publish under <c>autovolt/</c> is stored inside the
/// broker's publish interception, which the broker awaits before it sends the board its PUBACK.
/// If the store fails, the publish is dropped and the board's connection closed without an ack,
/// so the board keeps the message and sends it again.
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
            await pipeline.SubmitAsync(message, e.CancellationToken);
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
