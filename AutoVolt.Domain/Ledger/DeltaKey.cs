namespace AutoVolt.Domain.Ledger;

/// <summary>
/// Identifies the delta between two consecutive readings of a device by their telemetry event ids;
/// staff accept a held delta by this key (see <see cref="DeltaPolicy.AcceptedHeldDeltas"/>).
/// </summary>
/// <param name="FromEventId">Event id of the earlier reading r1.</param>
/// <param name="ToEventId">Event id of the later reading r2.</param>
public readonly record struct DeltaKey(long FromEventId, long ToEventId);
