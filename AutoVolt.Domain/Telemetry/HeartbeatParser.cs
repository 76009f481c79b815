using NodaTime;

namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// Validates a heartbeat payload from <c>autovolt/&lt;esp32_name&gt;/heartbeat</c>:
/// <c>{"esp32_name":"ESP01","timestamp":"…","uptime_seconds":…,"wifi_rssi":…,"firmware_ver":"…"}</c>.
/// Every field is optional; <c>esp32_name</c>, when present, must equal the topic's board; a present
/// timestamp must parse (ISO-8601 with <c>Z</c> or an offset). Unknown keys are ignored. Never throws.
/// </summary>
public static class HeartbeatParser
{
    /// <summary>Parses and validates one heartbeat.</summary>
    /// <param name="payload">The raw MQTT payload (a JSON object, at most <see cref="TelemetryLimits.MaxPayloadBytes"/>).</param>
    /// <param name="topicBoard">The board name from the topic.</param>
    /// <param name="receivedAt">When the ingestion service received the message.</param>
    /// <returns>The heartbeat (with its <see cref="Heartbeat.ClockOffset"/>), or the reason it was refused.</returns>
    /// <exception cref="ArgumentNullException">An argument other than the payload is null (a programming error, not bad input).</exception>
    public static ParseResult<Heartbeat> Parse(ReadOnlySpan<byte> payload, string topicBoard, Instant receivedAt)
    {
        ArgumentNullException.ThrowIfNull(topicBoard);
        if (TelemetryLimits.NameProblem(topicBoard, "topic board") is { } badTopic)
        {
            return new ParseResult<Heartbeat>(new Rejection(badTopic, null));
        }
        if (PayloadObject.TryOpen(payload, out var opened) is { } invalid)
        {
            return new ParseResult<Heartbeat>(invalid);
        }
        using var json = opened!;
        var rejection = PayloadObject.First(
            json.Name("esp32_name", out var espName),
            espName is null ? null : TelemetryParser.TopicMismatch(espName, topicBoard),
            json.Timestamp("timestamp", out var boardTimestamp),
            json.Integer("uptime_seconds", 0, TelemetryLimits.MaxUptimeSeconds, "s", out var uptimeSeconds),
            json.Integer("wifi_rssi", TelemetryLimits.MinWifiRssi, TelemetryLimits.MaxWifiRssi, "dBm", out var wifiRssi),
            json.Text("firmware_ver", TelemetryLimits.MaxFirmwareVersionLength, out var firmwareVer));
        return rejection is not null
            ? new ParseResult<Heartbeat>(rejection)
            : new ParseResult<Heartbeat>(new Heartbeat(
                topicBoard, boardTimestamp, receivedAt, uptimeSeconds, wifiRssi is { } rssi ? (int)rssi : null, firmwareVer));
    }
}
