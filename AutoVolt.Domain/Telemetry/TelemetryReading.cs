using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using AutoVolt.Domain.Ledger;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// One validated reading of one device (DESIGN.md section 2), as accepted from
/// <c>autovolt/&lt;esp32_name&gt;/telemetry</c> by <see cref="TelemetryParser"/> or reloaded from
/// <c>telemetry_events</c>. Immutable; every property is checked against
/// <see cref="TelemetryLimits"/> when set and throws <see cref="ArgumentException"/> (or
/// <see cref="ArgumentOutOfRangeException"/>) naming it when out of bounds.
/// </summary>
/// <remarks>
/// Cross-field rules of the payload (at least one of <see cref="PowerW"/> and
/// <see cref="EnergyWhTotal"/>, topic match, clock rules) are the parser's job. Record equality
/// compares <see cref="SwitchState"/> by reference; compare readings by <see cref="DedupHash"/>.
/// </remarks>
public sealed record TelemetryReading
{
    /// <summary>Board name (<c>esp32_name</c>, e.g. <c>ESP01</c>): <c>^[A-Za-z0-9_.-]{1,64}$</c>.</summary>
    public required string EspName
    {
        get;
        init => field = Checked(value, TelemetryLimits.NameProblem(value, "esp32_name"), nameof(EspName));
    }

    /// <summary>Device id on the board (<c>device_id</c>, e.g. <c>light_1</c>): <c>^[A-Za-z0-9_.-]{1,64}$</c>.</summary>
    public required string DeviceId
    {
        get;
        init => field = Checked(value, TelemetryLimits.NameProblem(value, "device_id"), nameof(DeviceId));
    }

    /// <summary>Device key <c>esp32_name/device_id</c> (e.g. <c>ESP01/light_1</c>).</summary>
    public string DeviceKey => $"{EspName}/{DeviceId}";

    /// <summary>Classroom the board reports (e.g. <c>CR-101</c>), at most 64 characters; null when absent or empty.</summary>
    public string? Classroom
    {
        get;
        init => field = string.IsNullOrEmpty(value)
            ? null
            : Checked(value, TelemetryLimits.TextProblem(value, "classroom", TelemetryLimits.MaxClassroomLength), nameof(Classroom));
    }

    /// <summary>
    /// The timestamp exactly as the board sent it (any offset, normalised to an instant), whether
    /// trusted or not; the Unix epoch (<c>Instant.FromUnixTimeSeconds(0)</c>) when the payload had none.
    /// Part of <see cref="DedupHash"/>.
    /// </summary>
    public required Instant BoardTimestamp { get; init; }

    /// <summary>
    /// The accounting time: <see cref="BoardTimestamp"/> when <see cref="ClockRules"/> trust it, else
    /// <see cref="ReceivedAt"/> (and <see cref="Marks"/> has <see cref="EntryMarks.ClockInvalid"/>).
    /// </summary>
    public required Instant Timestamp { get; init; }

    /// <summary>When the ingestion service received the message (its clock). Not part of <see cref="DedupHash"/>.</summary>
    public required Instant ReceivedAt { get; init; }

    /// <summary>Instantaneous power, W, 0 to <see cref="TelemetryLimits.MaxPowerW"/> inclusive; null when not reported.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of bounds.</exception>
    public decimal? PowerW
    {
        get;
        init => field = value is { } v && (v < 0m || v > TelemetryLimits.MaxPowerW)
            ? throw new ArgumentOutOfRangeException(nameof(PowerW), v, FormattableString.Invariant($"Must be 0 to {TelemetryLimits.MaxPowerW} W."))
            : value;
    }

    /// <summary>
    /// Cumulative energy counter of the device, Wh, 0 to <see cref="TelemetryLimits.MaxEnergyWhTotal"/>
    /// inclusive; null when the device has no counter (power integration is used).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of bounds.</exception>
    public decimal? EnergyWhTotal
    {
        get;
        init => field = value is { } v && (v < 0m || v > TelemetryLimits.MaxEnergyWhTotal)
            ? throw new ArgumentOutOfRangeException(nameof(EnergyWhTotal), v, FormattableString.Invariant($"Must be 0 to {TelemetryLimits.MaxEnergyWhTotal} Wh."))
            : value;
    }

    /// <summary>
    /// Switch states by switch key (true = ON), ordinal keys, at most <see cref="TelemetryLimits.MaxSwitches"/>,
    /// each a valid name; null when not reported. Stored as a frozen copy.
    /// </summary>
    public IReadOnlyDictionary<string, bool>? SwitchState
    {
        get;
        init => field = value is null ? null : CheckedSwitches(value, nameof(SwitchState));
    }

    /// <summary>The payload's optional <c>switch_key</c>: which key of <see cref="SwitchState"/> powers this device.</summary>
    public string? SwitchKey
    {
        get;
        init => field = value is null ? null : Checked(value, TelemetryLimits.NameProblem(value, "switch_key"), nameof(SwitchKey));
    }

    /// <summary>Seconds since the board booted, 0 to <see cref="TelemetryLimits.MaxUptimeSeconds"/> inclusive; null when not reported.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of bounds.</exception>
    public long? UptimeSeconds
    {
        get;
        init => field = value is { } v && (v < 0 || v > TelemetryLimits.MaxUptimeSeconds)
            ? throw new ArgumentOutOfRangeException(nameof(UptimeSeconds), v, FormattableString.Invariant($"Must be 0 to {TelemetryLimits.MaxUptimeSeconds} s."))
            : value;
    }

    /// <summary>Board status in the reading: <c>online</c> or <c>offline</c> (lower case); null when not reported.</summary>
    /// <exception cref="ArgumentException">Any other value.</exception>
    public string? Status
    {
        get;
        init => field = value is null or "online" or "offline"
            ? value
            : throw new ArgumentException("Must be 'online' or 'offline'.", nameof(Status));
    }

    /// <summary>Board message counter, 0 or more; null when not reported. Orders readings with equal timestamps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public long? SequenceNo
    {
        get;
        init => field = value is < 0
            ? throw new ArgumentOutOfRangeException(nameof(SequenceNo), value, "Must not be negative.")
            : value;
    }

    /// <summary>Firmware version text (e.g. <c>v2.0.0</c>), at most 64 characters, no control characters.</summary>
    public string? FirmwareVer
    {
        get;
        init => field = Checked(value, TelemetryLimits.TextProblem(value, "firmware_ver", TelemetryLimits.MaxFirmwareVersionLength), nameof(FirmwareVer));
    }

    /// <summary>Wi-Fi signal strength, dBm, <see cref="TelemetryLimits.MinWifiRssi"/> to <see cref="TelemetryLimits.MaxWifiRssi"/> inclusive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of bounds.</exception>
    public int? WifiRssi
    {
        get;
        init => field = value is { } v && (v < TelemetryLimits.MinWifiRssi || v > TelemetryLimits.MaxWifiRssi)
            ? throw new ArgumentOutOfRangeException(nameof(WifiRssi), v, FormattableString.Invariant($"Must be {TelemetryLimits.MinWifiRssi} to {TelemetryLimits.MaxWifiRssi} dBm."))
            : value;
    }

    /// <summary>Identifier of the board's current boot (v2 firmware): <c>^[A-Za-z0-9_.-]{1,64}$</c>; null when not reported.</summary>
    public string? BootId
    {
        get;
        init => field = value is null ? null : Checked(value, TelemetryLimits.NameProblem(value, "boot_id"), nameof(BootId));
    }

    /// <summary>Marks set at ingestion: <see cref="EntryMarks.ClockInvalid"/>, <see cref="EntryMarks.LateDelivery"/>.</summary>
    public EntryMarks Marks { get; init; }

    /// <summary>
    /// The reading's identity (<see cref="ReadingIdentity"/>): 32 bytes of SHA-256, exposed as an
    /// <see cref="ImmutableArray{T}"/> of bytes. Computed from the current values on each access, so a
    /// <c>with</c> copy never carries a stale hash; independent of <see cref="ReceivedAt"/>.
    /// </summary>
    public ImmutableArray<byte> DedupHash => ReadingIdentity.Compute(this);

    /// <summary>A short invariant-culture description for logs, e.g. <c>ESP01/light_1 @ 2025-11-05T06:12:34Z P=40 W E=12345.67 Wh seq=12345</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(DeviceKey).Append(" @ ").Append(InstantPattern.ExtendedIso.Format(Timestamp));
        if (PowerW is { } p)
        {
            text.Append(CultureInfo.InvariantCulture, $" P={p} W");
        }
        if (EnergyWhTotal is { } e)
        {
            text.Append(CultureInfo.InvariantCulture, $" E={e} Wh");
        }
        if (SequenceNo is { } seq)
        {
            text.Append(CultureInfo.InvariantCulture, $" seq={seq}");
        }
        if (Marks != EntryMarks.None)
        {
            text.Append(" [").Append(EntryMarksText.Format(Marks)).Append(']');
        }
        return text.ToString();
    }

    private static T Checked<T>(T value, string? problem, string paramName) =>
        problem is null ? value : throw new ArgumentException(problem, paramName);

    private static FrozenDictionary<string, bool> CheckedSwitches(IReadOnlyDictionary<string, bool> value, string paramName)
    {
        if (value.Count > TelemetryLimits.MaxSwitches)
        {
            throw new ArgumentException(FormattableString.Invariant($"At most {TelemetryLimits.MaxSwitches} switches."), paramName);
        }
        foreach (var key in value.Keys)
        {
            Checked(key, TelemetryLimits.NameProblem(key, "switch_state key"), paramName);
        }
        return value.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
