using System.Diagnostics.CodeAnalysis;

namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// An AutoVolt MQTT topic, <c>autovolt/&lt;esp32_name&gt;/{telemetry|heartbeat|status}</c> (DESIGN.md
/// section 2): exactly three segments, the prefix and kind in lower case, the board a valid name
/// (<see cref="TelemetryLimits.IsValidName"/>). Anything else is refused with a reason.
/// </summary>
/// <param name="Board">The board name (<c>esp32_name</c>).</param>
/// <param name="Kind">What the topic carries.</param>
public readonly record struct TopicName(string Board, TopicKind Kind)
{
    /// <summary>First segment of every AutoVolt topic.</summary>
    public const string Prefix = "autovolt";

    /// <summary>The topic text, e.g. <c>autovolt/ESP01/telemetry</c>.</summary>
    /// <returns>The topic.</returns>
    public override string ToString() => $"{Prefix}/{Board}/{KindSegment(Kind)}";

    /// <summary>Parses a topic, with the reason when it is not an AutoVolt topic.</summary>
    /// <param name="topic">The topic a message arrived on.</param>
    /// <returns>The topic, or the reason it was refused (field <c>topic</c>).</returns>
    public static ParseResult<TopicName> Parse(string? topic)
    {
        if (string.IsNullOrEmpty(topic))
        {
            return Reject("topic is empty");
        }
        var segments = topic.Split('/');
        if (segments.Length != 3 || !string.Equals(segments[0], Prefix, StringComparison.Ordinal))
        {
            return Reject($"topic {TelemetryLimits.Quote(topic)} is not autovolt/<esp32_name>/{{telemetry|heartbeat|status}}");
        }
        if (!TelemetryLimits.IsValidName(segments[1]))
        {
            return Reject($"topic {TelemetryLimits.Quote(topic)} has an invalid board name (1 to {TelemetryLimits.MaxNameLength} characters of A-Z, a-z, 0-9, '_', '.', '-')");
        }
        TopicKind? kind = segments[2] switch
        {
            "telemetry" => TopicKind.Telemetry,
            "heartbeat" => TopicKind.Heartbeat,
            "status" => TopicKind.Status,
            _ => null,
        };
        return kind is { } k
            ? new ParseResult<TopicName>(new TopicName(segments[1], k))
            : Reject($"topic {TelemetryLimits.Quote(topic)} ends in {TelemetryLimits.Quote(segments[2])}, not telemetry, heartbeat or status");
    }

    /// <summary>Parses a topic.</summary>
    /// <param name="topic">The topic a message arrived on.</param>
    /// <param name="board">The board name, or empty when refused.</param>
    /// <param name="kind">The topic kind, or default when refused.</param>
    /// <returns>True when it is an AutoVolt topic; use <see cref="Parse"/> for the reason otherwise.</returns>
    public static bool TryParse([NotNullWhen(true)] string? topic, out string board, out TopicKind kind)
    {
        var result = Parse(topic);
        (board, kind) = result.IsAccepted ? (result.Value.Board, result.Value.Kind) : ("", default);
        return result.IsAccepted;
    }

    private static string KindSegment(TopicKind kind) => kind switch
    {
        TopicKind.Telemetry => "telemetry",
        TopicKind.Heartbeat => "heartbeat",
        TopicKind.Status => "status",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown topic kind."),
    };

    private static ParseResult<TopicName> Reject(string reason) => new(new Rejection(reason, "topic"));
}
