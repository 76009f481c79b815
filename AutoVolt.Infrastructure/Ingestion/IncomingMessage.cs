using NodaTime;

namespace AutoVolt.Infrastructure.Ingestion;

/// <summary>One MQTT message as handed over by a broker.</summary>
public sealed record IncomingMessage(string Topic, ReadOnlyMemory<byte> Payload, Instant ReceivedAt);
