using AutoVolt.Domain.Telemetry;
using NodaTime;

namespace AutoVolt.Infrastructure.Ingestion;

/// <summary>A message after parsing: a reading, a status, a heartbeat, or a quarantine row with its reason.</summary>
public abstract record ClassifiedMessage
{
    private ClassifiedMessage()
    {
    }

    public sealed record Reading(TelemetryReading Value, ReadOnlyMemory<byte> Raw) : ClassifiedMessage;

    public sealed record Status(BoardStatus Value) : ClassifiedMessage;

    public sealed record Beat(Heartbeat Value) : ClassifiedMessage;

    public sealed record Quarantined(string Topic, ReadOnlyMemory<byte> Raw, string Reason, string? Field, Instant ReceivedAt) : ClassifiedMessage;

    /// <summary>Parses a message by its topic with the accounting core's rules.</summary>
    public static ClassifiedMessage Classify(IncomingMessage message, ClockRules rules)
    {
        var topic = TopicName.Parse(message.Topic);
        if (!topic.TryGetValue(out var name, out var topicProblem))
        {
            return new Quarantined(message.Topic, message.Payload, topicProblem.Reason, topicProblem.Field, message.ReceivedAt);
        }
        var payload = message.Payload.Span;
        switch (name.Kind)
        {
            case TopicKind.Telemetry:
            {
                var r = TelemetryParser.Parse(payload, name.Board, message.ReceivedAt, rules);
                return r.TryGetValue(out var reading, out var problem)
                    ? new Reading(reading, message.Payload)
                    : new Quarantined(message.Topic, message.Payload, problem.Reason, problem.Field, message.ReceivedAt);
            }
            case TopicKind.Heartbeat:
            {
                var r = HeartbeatParser.Parse(payload, name.Board, message.ReceivedAt);
                return r.TryGetValue(out var beat, out var problem)
                    ? new Beat(beat)
                    : new Quarantined(message.Topic, message.Payload, problem.Reason, problem.Field, message.ReceivedAt);
            }
            case TopicKind.Status:
            {
                var r = StatusParser.Parse(payload, name.Board, message.ReceivedAt, rules);
                return r.TryGetValue(out var status, out var problem)
                    ? new Status(status)
                    : new Quarantined(message.Topic, message.Payload, problem.Reason, problem.Field, message.ReceivedAt);
            }
            default:
                return new Quarantined(message.Topic, message.Payload, $"unsupported topic kind {name.Kind}", "topic", message.ReceivedAt);
        }
    }
}
