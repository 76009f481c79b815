using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Domain.Telemetry;

/// <summary>ISO-8601 timestamps as boards send them.</summary>
internal static class TimestampText
{
    /// <summary>Longest accepted timestamp text (a full one with nanoseconds and an offset is 35).</summary>
    public const int MaxLength = 40;

    /// <summary>Human description of the accepted format, for rejection reasons.</summary>
    public const string Expected = "ISO-8601 with 'Z' or an offset, e.g. 2025-11-05T06:12:34Z or 2025-11-05T11:42:34.5+05:30";

    // 'Z', ±HH, ±HH:mm, ±HH:mm:ss; up to 9 fractional digits.
    private static readonly OffsetDateTimePattern ColonOffset = OffsetDateTimePattern.ExtendedIso;

    // ±HHmm (basic-format offset), which some NTP libraries print.
    private static readonly OffsetDateTimePattern CompactOffset =
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss;FFFFFFFFFo<+HHmm>");

    /// <summary>Parses a timestamp with an explicit offset; local times without offset are refused.</summary>
    public static bool TryParse(string text, out Instant instant)
    {
        instant = default;
        if (text.Length > MaxLength)
        {
            return false;
        }
        var result = ColonOffset.Parse(text);
        if (!result.Success)
        {
            result = CompactOffset.Parse(text);
        }
        if (!result.Success)
        {
            return false;
        }
        instant = result.Value.ToInstant();
        return true;
    }
}
