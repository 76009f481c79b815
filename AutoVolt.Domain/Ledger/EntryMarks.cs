namespace AutoVolt.Domain.Ledger;

/// <summary>
/// Flags carried by readings and ledger entries (stored as an integer bit set). Names follow
/// DESIGN.md section 3; <see cref="EntryMarksText"/> gives the snake_case names used in JSON/CSV.
/// </summary>
[Flags]
public enum EntryMarks
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>The board rebooted between the two readings (new boot id, uptime or sequence restarted).</summary>
    Reboot = 1 << 0,
    /// <summary>The cumulative counter went down: the delta is the new counter value.</summary>
    Reset = 1 << 1,
    /// <summary>The readings are further apart than the maximum gap.</summary>
    Gap = 1 << 2,
    /// <summary>An offline status fell inside the interval.</summary>
    Offline = 1 << 3,
    /// <summary>A cumulative delta above noise while the switch was OFF.</summary>
    EnergyWhileOff = 1 << 4,
    /// <summary>The delta implied more than the device's maximum power: recorded, counted as zero.</summary>
    Held = 1 << 5,
    /// <summary>The board's timestamp was in the future or before 2020: the receive time was used.</summary>
    ClockInvalid = 1 << 6,
    /// <summary>The reading arrived later than the settle window after its timestamp.</summary>
    LateDelivery = 1 << 7,
    /// <summary>No switch could be mapped to the device: no switch filter applied.</summary>
    NoSwitchMapping = 1 << 8,
    /// <summary>The counter dropped without a reboot: counter wrap or meter swap, for review.</summary>
    CounterWrap = 1 << 9,
    /// <summary>Energy estimated by holding the last known state across a gap.</summary>
    Estimated = 1 << 10,
    /// <summary>Reading synthesised by the legacy migration.</summary>
    Migrated = 1 << 11,
    /// <summary>Staff accepted a held delta: counted.</summary>
    Accepted = 1 << 12,
    /// <summary>The reading was accounted after its period had been accounted (re-derived window).</summary>
    Late = 1 << 13,
    /// <summary>Readings of a device arrived out of (timestamp, sequence) order.</summary>
    OutOfOrder = 1 << 14,
    /// <summary>
    /// Aggregates only (never stored on a ledger row): a line with energy but no cost version, so its cost is missing
    /// from the total. Counted by <c>AggregationMath</c> from <see cref="LedgerLine.CostVersionId"/>.
    /// </summary>
    Unpriced = 1 << 15,
}
