namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// Hard bounds of accepted board messages. A value outside them is not a reading but a fault
/// (bit flip, firmware bug, hostile publisher) and is quarantined with a reason.
/// </summary>
public static class TelemetryLimits
{
    /// <summary>Largest accepted payload, in bytes (16 KiB; a real reading is about 350 bytes).</summary>
    public const int MaxPayloadBytes = 16 * 1024;

    /// <summary>Longest board name, device id, switch key or boot id, in characters.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Longest classroom name, in characters.</summary>
    public const int MaxClassroomLength = 64;

    /// <summary>Longest firmware version string, in characters.</summary>
    public const int MaxFirmwareVersionLength = 64;

    /// <summary>Most switches in one <c>switch_state</c> object.</summary>
    public const int MaxSwitches = 16;

    /// <summary>Highest plausible instantaneous power of one device, in W (inclusive): 100 kW.</summary>
    public const decimal MaxPowerW = 100_000m;

    /// <summary>Highest plausible cumulative energy counter, in Wh (inclusive): 1 TWh.</summary>
    public const decimal MaxEnergyWhTotal = 1_000_000_000_000m;

    /// <summary>Longest plausible uptime, in seconds (inclusive): 20 Julian years.</summary>
    public const long MaxUptimeSeconds = 20L * 36_525 * 864; // 20 × 365.25 days × 86 400 s

    /// <summary>Weakest Wi-Fi signal a board can report, in dBm (inclusive).</summary>
    public const int MinWifiRssi = -127;

    /// <summary>Strongest Wi-Fi signal a board can report, in dBm (inclusive).</summary>
    public const int MaxWifiRssi = 0;

    /// <summary>
    /// True when <paramref name="value"/> is a valid board name, device id, switch key or boot id:
    /// 1 to <see cref="MaxNameLength"/> characters from <c>A–Z a–z 0–9 _ . -</c>
    /// (the regular expression <c>^[A-Za-z0-9_.-]{1,64}$</c>).
    /// </summary>
    /// <param name="value">Candidate name; null is not valid.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidName(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxNameLength)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.' || c == '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The problem with a name, or null when it is valid.</summary>
    internal static string? NameProblem(string? value, string field) => IsValidName(value)
        ? null
        : FormattableString.Invariant($"{field} must be 1 to {MaxNameLength} characters of A-Z, a-z, 0-9, '_', '.', '-' (got {Quote(value)})");

    /// <summary>The problem with free text (classroom, firmware version), or null when it is valid.</summary>
    internal static string? TextProblem(string? value, string field, int maxLength)
    {
        if (value is null)
        {
            return null;
        }
        if (value.Length > maxLength)
        {
            return FormattableString.Invariant($"{field} is {value.Length} characters long, over the {maxLength}-character limit");
        }
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return $"{field} must not contain control characters (got {Quote(value)})";
            }
        }
        return null;
    }

    /// <summary>A value for a reason text: quoted, shortened to 40 characters, control characters escaped.</summary>
    internal static string Quote(string? value)
    {
        if (value is null)
        {
            return "null";
        }
        var shown = value.Length > 40 ? string.Concat(value.AsSpan(0, 40), "…") : value;
        var chars = new System.Text.StringBuilder(shown.Length + 2).Append('\'');
        foreach (var c in shown)
        {
            if (char.IsControl(c))
            {
                chars.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                chars.Append(c);
            }
        }
        return chars.Append('\'').ToString();
    }
}
