using NodaTime;

namespace AutoVolt.Domain.Ledger;

/// <summary>
/// One stored telemetry reading of one device, as the accounting rules need it (the input of
/// <see cref="DeltaCalculator"/> and <see cref="DeviceAccounting"/>). Built by the ledger job from a
/// <c>telemetry_events</c> row; independent of the ingestion model.
/// </summary>
/// <remarks>
/// The measured values (timestamp, sequence, energy, power, switch, uptime, boot id) are what make two
/// readings the same (<see cref="HasSameMeasurement"/>); <see cref="EventId"/> and <see cref="Marks"/> are not.
/// </remarks>
public sealed record AccountingReading
{
    /// <summary>Creates a reading; see the properties for bounds.</summary>
    /// <exception cref="ArgumentException"><paramref name="deviceKey"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A bound is violated.</exception>
    public AccountingReading(
        long eventId,
        string deviceKey,
        Instant timestamp,
        long? sequenceNo,
        decimal? energyWhTotal,
        decimal? powerW,
        bool? switchOn,
        long? uptimeSeconds,
        string? bootId,
        EntryMarks marks = EntryMarks.None)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceKey);
        if (energyWhTotal < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(energyWhTotal), "Energy counter must not be negative.");
        }
        if (powerW < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(powerW), "Power must not be negative.");
        }
        if (uptimeSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(uptimeSeconds), "Uptime must not be negative.");
        }
        EventId = eventId;
        DeviceKey = deviceKey;
        Timestamp = timestamp;
        SequenceNo = sequenceNo;
        EnergyWhTotal = energyWhTotal;
        PowerW = powerW;
        SwitchOn = switchOn;
        UptimeSeconds = uptimeSeconds;
        BootId = string.IsNullOrEmpty(bootId) ? null : bootId;
        Marks = marks;
    }

    /// <summary>Id of the <c>telemetry_events</c> row (identity of the stored reading).</summary>
    public long EventId { get; }

    /// <summary>Device key <c>esp32_name/device_id</c>; not empty.</summary>
    public string DeviceKey { get; }

    /// <summary>The accounted instant of the reading (the board's timestamp, or receive time when flagged <see cref="EntryMarks.ClockInvalid"/>).</summary>
    public Instant Timestamp { get; }

    /// <summary>The board's sequence number, if sent; ties of <see cref="Timestamp"/> are ordered by it.</summary>
    public long? SequenceNo { get; }

    /// <summary>Cumulative energy counter in Wh (any number of decimals, &gt;= 0); null when the board has no counter.</summary>
    public decimal? EnergyWhTotal { get; }

    /// <summary>Instantaneous power in W (&gt;= 0); null when not sent.</summary>
    public decimal? PowerW { get; }

    /// <summary>
    /// State of this device's switch, already resolved with <see cref="SwitchKeyResolver"/>: true = ON,
    /// false = OFF, null = no switch mapped (no switch filter; flag <see cref="EntryMarks.NoSwitchMapping"/>).
    /// </summary>
    public bool? SwitchOn { get; }

    /// <summary>Seconds since the board booted (&gt;= 0), if sent.</summary>
    public long? UptimeSeconds { get; }

    /// <summary>Boot id (v2 firmware), if sent; an empty string is stored as null.</summary>
    public string? BootId { get; }

    /// <summary>Flags carried by the reading itself (e.g. <see cref="EntryMarks.ClockInvalid"/>, <see cref="EntryMarks.LateDelivery"/>).</summary>
    public EntryMarks Marks { get; }

    /// <summary>
    /// True when both readings carry the same measurement: device, timestamp, sequence number, energy,
    /// power, switch, uptime and boot id (decimals compared by value). Event id and marks are ignored.
    /// </summary>
    public bool HasSameMeasurement(AccountingReading other)
    {
        ArgumentNullException.ThrowIfNull(other);
        // field by field, cheapest and most discriminating first (consecutive readings differ in timestamp)
        return Timestamp == other.Timestamp
            && SequenceNo == other.SequenceNo
            && SwitchOn == other.SwitchOn
            && UptimeSeconds == other.UptimeSeconds
            && EnergyWhTotal == other.EnergyWhTotal
            && PowerW == other.PowerW
            && string.Equals(DeviceKey, other.DeviceKey, StringComparison.Ordinal)
            && string.Equals(BootId, other.BootId, StringComparison.Ordinal);
    }
}
