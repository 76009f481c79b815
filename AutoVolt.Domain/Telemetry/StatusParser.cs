using NodaTime;

namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// Validates a status payload from <c>autovolt/&lt;esp32_name&gt;/status</c> (DESIGN.md section 2): the
/// plain word <c>online</c>/<c>offline</c> (surrounding whitespace and letter case ignored), or a JSON
/// object <c>{"status":"offline","timestamp":"…"}</c> (optional <c>esp32_name</c> must equal the topic's
/// board; unknown keys ignored). Never throws.
/// </summary>
/// <remarks>
/// The instant is the payload's timestamp when present and trusted by <see cref="ClockRules.IsTrusted"/>
/// (not before 2020, not beyond the future tolerance), else the receive time: a Last Will is fixed at
/// connect time, so firmware sends it without a timestamp. A timestamp that is present but not ISO-8601
/// is a rejection, as in telemetry. An empty payload (how MQTT clears a retained message) is a rejection.
/// </remarks>
public static class StatusParser
{
    /// <summary>Parses and validates one status message.</summary>
    /// <param name="payload">The raw MQTT payload.</param>
    /// <param name="topicBoard">The board name from the topic.</param>
    /// <param name="receivedAt">When the ingestion service received the message.</param>
    /// <param name="rules">Clock rules deciding whether the payload's timestamp is trusted.</param>
    /// <returns>The status, or the reason it was refused.</returns>
    /// <exception cref="ArgumentNullException">An argument other than the payload is null (a programming error, not bad input).</exception>
    public static ParseResult<BoardStatus> Parse(ReadOnlySpan<byte> payload, string topicBoard, Instant receivedAt, ClockRules rules)
    {
        ArgumentNullException.ThrowIfNull(topicBoard);
        ArgumentNullException.ThrowIfNull(rules);
        if (TelemetryLimits.NameProblem(topicBoard, "topic board") is { } badTopic)
        {
            return Reject(badTopic, null);
        }
        if (PayloadObject.EnvelopeProblem(payload) is { } envelope)
        {
            return new ParseResult<BoardStatus>(envelope);
        }
        var trimmed = System.Text.Encoding.UTF8.GetString(payload).Trim();
        if (Word(trimmed) is { } plain)
        {
            return new ParseResult<BoardStatus>(new BoardStatus(topicBoard, plain, receivedAt, receivedAt, StatusTimeSource.ReceivedAt));
        }
        if (!trimmed.StartsWith('{'))
        {
            return Reject($"status payload must be 'online', 'offline' or a JSON object, got {TelemetryLimits.Quote(trimmed)}", null);
        }
        if (PayloadObject.TryOpen(payload, out var opened) is { } invalid)
        {
            return new ParseResult<BoardStatus>(invalid);
        }
        using var json = opened!;
        var rejection = PayloadObject.First(
            json.Name("esp32_name", out var espName),
            espName is null ? null : TelemetryParser.TopicMismatch(espName, topicBoard),
            json.String("status", out var statusText),
            json.Timestamp("timestamp", out var timestamp));
        if (rejection is not null)
        {
            return new ParseResult<BoardStatus>(rejection);
        }
        if (statusText is null)
        {
            return Reject("status is required", "status");
        }
        if (Word(statusText) is not { } state || statusText.Trim().Length != statusText.Length)
        {
            return Reject($"status must be 'online' or 'offline', got {TelemetryLimits.Quote(statusText)}", "status");
        }
        return timestamp is { } at && rules.IsTrusted(at, receivedAt)
            ? new ParseResult<BoardStatus>(new BoardStatus(topicBoard, state, at, receivedAt, StatusTimeSource.Payload))
            : new ParseResult<BoardStatus>(new BoardStatus(topicBoard, state, receivedAt, receivedAt, StatusTimeSource.ReceivedAt));
    }

    private static BoardState? Word(string text) =>
        string.Equals(text, "online", StringComparison.OrdinalIgnoreCase) ? BoardState.Online
        : string.Equals(text, "offline", StringComparison.OrdinalIgnoreCase) ? BoardState.Offline
        : null;

    private static ParseResult<BoardStatus> Reject(string reason, string? field) => new(new Rejection(reason, field));
}
