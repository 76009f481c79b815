using NodaTime;

namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// Whether a board's clock drifts (DESIGN.md section 3: <c>clock_drift</c> when the offset measured on
/// live heartbeats exceeds 5 minutes either way). Shown per board; readings are judged separately by
/// <see cref="ClockRules"/>.
/// </summary>
public static class ClockDrift
{
    /// <summary>Largest tolerated |offset| (inclusive): 5 minutes.</summary>
    public static Duration Threshold { get; } = Duration.FromMinutes(5);

    /// <summary>True when one offset is beyond <see cref="Threshold"/> in either direction (strictly).</summary>
    /// <param name="offset">Board clock − receive time (<see cref="Heartbeat.ClockOffset"/>).</param>
    /// <returns>True when drifting.</returns>
    public static bool Exceeds(Duration offset) => offset > Threshold || offset < -Threshold;

    /// <summary>
    /// Decides drift over recent heartbeat offsets by their median, so that one heartbeat delayed in a
    /// broker queue does not flag a board whose clock is fine.
    /// </summary>
    /// <param name="offsets">Recent offsets of one board; may be empty.</param>
    /// <returns>True when the median offset is beyond <see cref="Threshold"/>; false when there are no offsets.</returns>
    public static bool IsDrifting(IEnumerable<Duration> offsets) => Median(offsets) is { } median && Exceeds(median);

    /// <summary>The median of the offsets (the lower middle one for an even count), or null when empty.</summary>
    /// <param name="offsets">Offsets in any order.</param>
    /// <returns>The median offset, or null.</returns>
    public static Duration? Median(IEnumerable<Duration> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var sorted = offsets.Order().ToList();
        return sorted.Count == 0 ? null : sorted[(sorted.Count - 1) / 2];
    }
}
