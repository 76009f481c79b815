using NodaTime;

namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// One heartbeat of a board (<c>autovolt/&lt;esp32_name&gt;/heartbeat</c>, every 30 s): liveness and a
/// measurement of the board's clock.
/// </summary>
/// <param name="EspName">Board name, from the topic (equal to the payload's <c>esp32_name</c> when present).</param>
/// <param name="BoardTimestamp">The board's clock as sent; null when the payload had no timestamp.</param>
/// <param name="ReceivedAt">When the ingestion service received the heartbeat.</param>
/// <param name="UptimeSeconds">Seconds since boot, 0 to <see cref="TelemetryLimits.MaxUptimeSeconds"/>; null when absent.</param>
/// <param name="WifiRssi">Wi-Fi signal, dBm, -127 to 0; null when absent.</param>
/// <param name="FirmwareVer">Firmware version text; null when absent.</param>
public sealed record Heartbeat(
    string EspName,
    Instant? BoardTimestamp,
    Instant ReceivedAt,
    long? UptimeSeconds,
    int? WifiRssi,
    string? FirmwareVer)
{
    /// <summary>Board name, checked against <see cref="TelemetryLimits.IsValidName"/>.</summary>
    /// <exception cref="ArgumentException">Not a valid name.</exception>
    public string EspName { get; } = TelemetryLimits.NameProblem(EspName, "esp32_name") is { } problem
        ? throw new ArgumentException(problem, nameof(EspName))
        : EspName;

    /// <summary>Seconds since boot, 0 to <see cref="TelemetryLimits.MaxUptimeSeconds"/> inclusive; null when absent.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of bounds.</exception>
    public long? UptimeSeconds { get; } = UptimeSeconds is < 0 or > TelemetryLimits.MaxUptimeSeconds
        ? throw new ArgumentOutOfRangeException(nameof(UptimeSeconds), UptimeSeconds, "Out of bounds.")
        : UptimeSeconds;

    /// <summary>Wi-Fi signal, dBm, -127 to 0 inclusive; null when absent.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of bounds.</exception>
    public int? WifiRssi { get; } = WifiRssi is < TelemetryLimits.MinWifiRssi or > TelemetryLimits.MaxWifiRssi
        ? throw new ArgumentOutOfRangeException(nameof(WifiRssi), WifiRssi, "Out of bounds.")
        : WifiRssi;

    /// <summary>
    /// Board clock offset: <see cref="BoardTimestamp"/> − <see cref="ReceivedAt"/> (positive = board ahead;
    /// includes the network delay, so a live board reads slightly negative). Null without a timestamp.
    /// Judge it with <see cref="ClockDrift"/>.
    /// </summary>
    public Duration? ClockOffset => BoardTimestamp - ReceivedAt;
}
