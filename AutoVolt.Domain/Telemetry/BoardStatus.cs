using NodaTime;

namespace AutoVolt.Domain.Telemetry;

/// <summary>One status message of a board (<c>autovolt/&lt;esp32_name&gt;/status</c>, retained).</summary>
/// <param name="EspName">Board name, from the topic.</param>
/// <param name="State">Announced state.</param>
/// <param name="Timestamp">When the state began: the payload's timestamp when trusted, else <paramref name="ReceivedAt"/>.</param>
/// <param name="ReceivedAt">When the ingestion service received the message.</param>
/// <param name="TimeSource">Whether <paramref name="Timestamp"/> came from the payload or the receive time.</param>
public sealed record BoardStatus(
    string EspName,
    BoardState State,
    Instant Timestamp,
    Instant ReceivedAt,
    StatusTimeSource TimeSource)
{
    /// <summary>True when <see cref="Timestamp"/> is the payload's own timestamp.</summary>
    public bool IsTimestampFromPayload => TimeSource == StatusTimeSource.Payload;
}
