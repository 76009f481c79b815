using NodaTime;

namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// Validates a telemetry payload from <c>autovolt/&lt;esp32_name&gt;/telemetry</c> (DESIGN.md section 2)
/// into a <see cref="TelemetryReading"/>, or a <see cref="Rejection"/> naming the first field at fault.
/// Pure: the receive time is passed in; never throws on any input.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Payload: at most <see cref="TelemetryLimits.MaxPayloadBytes"/> bytes of UTF-8, one JSON object, no duplicate keys; unknown keys are ignored; JSON <c>null</c> means absent.</item>
/// <item>Required: <c>esp32_name</c> (equal to the topic's board), <c>device_id</c>, and at least one of <c>power_w</c> / <c>energy_wh_total</c>.</item>
/// <item>Numbers must be JSON numbers (strings are refused), within <see cref="TelemetryLimits"/>; whole-number fields accept <c>40</c>, <c>40.0</c>, <c>4e1</c>.</item>
/// <item><c>timestamp</c>: ISO-8601 with <c>Z</c> or an offset. Missing: the board clock is unsynced, the receive time is used and the reading is marked clock-invalid. Present but unparseable: rejected.</item>
/// <item>The clock rules (<see cref="ClockRules.Check"/>) set <see cref="TelemetryReading.Timestamp"/> and <see cref="TelemetryReading.Marks"/>.</item>
/// </list>
/// </remarks>
public static class TelemetryParser
{
    /// <summary>Parses and validates one telemetry message.</summary>
    /// <param name="payload">The raw MQTT payload.</param>
    /// <param name="topicBoard">The board name from the topic (<see cref="TopicName.Board"/>).</param>
    /// <param name="receivedAt">When the ingestion service received the message.</param>
    /// <param name="rules">Clock rules; <see cref="ClockRules.Default"/> normally.</param>
    /// <returns>The reading, or the reason it was refused.</returns>
    /// <exception cref="ArgumentNullException">An argument other than the payload is null (a programming error, not bad input).</exception>
    public static ParseResult<TelemetryReading> Parse(ReadOnlySpan<byte> payload, string topicBoard, Instant receivedAt, ClockRules rules)
    {
        ArgumentNullException.ThrowIfNull(topicBoard);
        ArgumentNullException.ThrowIfNull(rules);
        if (PayloadObject.TryOpen(payload, out var opened) is { } invalid)
        {
            return new ParseResult<TelemetryReading>(invalid);
        }
        using var json = opened!;
        return Read(json, topicBoard, receivedAt, rules);
    }

    private static ParseResult<TelemetryReading> Read(PayloadObject json, string topicBoard, Instant receivedAt, ClockRules rules)
    {
        // Every check runs (all out values are assigned); the first rejection, in this order, wins.
        var rejection = PayloadObject.First(
            json.RequiredName("esp32_name", out var espName),
            TopicMismatch(espName, topicBoard),
            json.RequiredName("device_id", out var deviceId),
            json.Text("classroom", TelemetryLimits.MaxClassroomLength, out var classroom),
            json.Timestamp("timestamp", out var boardTimestamp),
            json.Decimal("power_w", 0m, TelemetryLimits.MaxPowerW, "W", out var powerW),
            json.Decimal("energy_wh_total", 0m, TelemetryLimits.MaxEnergyWhTotal, "Wh", out var energyWhTotal),
            (powerW is null && energyWhTotal is null
                    ? new Rejection("at least one of power_w and energy_wh_total is required", "power_w")
                    : null),
            json.Switches("switch_state", out var switchState),
            json.Name("switch_key", out var switchKey),
            json.Integer("uptime_seconds", 0, TelemetryLimits.MaxUptimeSeconds, "s", out var uptimeSeconds),
            json.String("status", out var status),
            StatusProblem(ref status),
            json.Integer("sequence_no", 0, long.MaxValue, "", out var sequenceNo),
            json.Text("firmware_ver", TelemetryLimits.MaxFirmwareVersionLength, out var firmwareVer),
            json.Integer("wifi_rssi", TelemetryLimits.MinWifiRssi, TelemetryLimits.MaxWifiRssi, "dBm", out var wifiRssi),
            json.Name("boot_id", out var bootId));
        if (rejection is not null)
        {
            return new ParseResult<TelemetryReading>(rejection);
        }

        var clock = rules.Check(boardTimestamp, receivedAt);
        try
        {
            return new ParseResult<TelemetryReading>(new TelemetryReading
            {
                EspName = espName,
                DeviceId = deviceId,
                Classroom = classroom,
                BoardTimestamp = boardTimestamp ?? NodaConstants.UnixEpoch,
                Timestamp = clock.Timestamp,
                ReceivedAt = receivedAt,
                PowerW = powerW,
                EnergyWhTotal = energyWhTotal,
                SwitchState = switchState,
                SwitchKey = switchKey,
                UptimeSeconds = uptimeSeconds,
                Status = status,
                SequenceNo = sequenceNo,
                FirmwareVer = firmwareVer,
                WifiRssi = wifiRssi is { } rssi ? (int)rssi : null,
                BootId = bootId,
                Marks = clock.Marks,
            });
        }
        catch (ArgumentException ex)
        {
            // Unreachable when the checks above mirror the reading's own; kept so Parse never throws.
            return new ParseResult<TelemetryReading>(new Rejection(ex.Message, ex.ParamName));
        }
    }

    /// <summary>The rejection when the payload's board name differs (ordinally) from the topic's.</summary>
    internal static Rejection? TopicMismatch(string espName, string topicBoard) =>
        string.Equals(espName, topicBoard, StringComparison.Ordinal)
            ? null
            : new Rejection(
                $"topic/payload mismatch: esp32_name is {TelemetryLimits.Quote(espName)} but the topic is for board {TelemetryLimits.Quote(topicBoard)}",
                "esp32_name");

    private static Rejection? StatusProblem(ref string? status)
    {
        if (status is null)
        {
            return null;
        }
        if (string.Equals(status, "online", StringComparison.OrdinalIgnoreCase))
        {
            status = "online";
            return null;
        }
        if (string.Equals(status, "offline", StringComparison.OrdinalIgnoreCase))
        {
            status = "offline";
            return null;
        }
        return new Rejection($"status must be 'online' or 'offline', got {TelemetryLimits.Quote(status)}", "status");
    }
}
