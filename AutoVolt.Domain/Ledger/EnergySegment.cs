using NodaTime;

namespace AutoVolt.Domain.Ledger;

/// <summary>
/// Energy accounted for one device over [<see cref="Start"/>, <see cref="End"/>], before splitting at local
/// midnights and rate changes (output of <see cref="DeltaCalculator"/>; input of <see cref="LedgerPlanner"/>).
/// </summary>
/// <remarks>
/// Quantities follow <see cref="Quantities"/>: energy in Wh with at most 6 decimals, on-time in seconds with
/// at most 3. All quantities are non-negative; a <see cref="EntryKind.ResetMarker"/> has zero energy.
/// </remarks>
public sealed record EnergySegment
{
    /// <summary>Creates a segment; see the properties for bounds.</summary>
    /// <exception cref="ArgumentException"><paramref name="deviceKey"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A bound is violated.</exception>
    public EnergySegment(
        string deviceKey,
        Instant start,
        Instant end,
        decimal energyWh,
        decimal heldEnergyWh,
        decimal onTimeSeconds,
        DeltaMethod method,
        Confidence confidence,
        EntryMarks marks,
        EntryKind kind,
        long fromEventId,
        long toEventId)
        : this(deviceKey, start, end, energyWh, heldEnergyWh, onTimeSeconds, method, confidence, marks, kind, fromEventId, toEventId, checkedByCaller: true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceKey);
        if (end < start)
        {
            throw new ArgumentOutOfRangeException(nameof(end), "End must not be before start.");
        }
        CheckQuantity(energyWh, Quantities.EnergyDecimals, nameof(energyWh));
        CheckQuantity(heldEnergyWh, Quantities.EnergyDecimals, nameof(heldEnergyWh));
        CheckQuantity(onTimeSeconds, Quantities.SecondsDecimals, nameof(onTimeSeconds));
        if (kind == EntryKind.Reversal)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), "A segment is a posting or a reset marker.");
        }
        if (kind == EntryKind.ResetMarker && energyWh != 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(energyWh), "A reset marker carries no energy.");
        }
    }

    // Assigns without checks: for the public constructor (which checks after) and for values that are valid by
    // construction (DeltaCalculator: energies from Quantities.RoundEnergy of non-negative values, on-time from
    // Quantities.RoundSeconds of a non-negative duration).
#pragma warning disable IDE0060 // the flag only selects this overload
    private EnergySegment(
        string deviceKey, Instant start, Instant end, decimal energyWh, decimal heldEnergyWh, decimal onTimeSeconds,
        DeltaMethod method, Confidence confidence, EntryMarks marks, EntryKind kind, long fromEventId, long toEventId, bool checkedByCaller)
#pragma warning restore IDE0060
    {
        DeviceKey = deviceKey;
        Start = start;
        End = end;
        EnergyWh = energyWh;
        HeldEnergyWh = heldEnergyWh;
        OnTimeSeconds = onTimeSeconds;
        Method = method;
        Confidence = confidence;
        Marks = marks;
        Kind = kind;
        FromEventId = fromEventId;
        ToEventId = toEventId;
    }

    /// <summary>Device key <c>esp32_name/device_id</c>.</summary>
    public string DeviceKey { get; }

    /// <summary>Start of the period (inclusive).</summary>
    public Instant Start { get; }

    /// <summary>End of the period (exclusive; equal to <see cref="Start"/> for a zero-length marker).</summary>
    public Instant End { get; }

    /// <summary>Counted energy in Wh, &gt;= 0, at most 6 decimals. Zero when <see cref="EntryMarks.Held"/>.</summary>
    public decimal EnergyWh { get; }

    /// <summary>Raw energy in Wh of an implausible delta, recorded but not counted (&gt;= 0, 6 decimals); zero otherwise.</summary>
    public decimal HeldEnergyWh { get; }

    /// <summary>Seconds the load was ON within the period, &gt;= 0, at most 3 decimals.</summary>
    public decimal OnTimeSeconds { get; }

    /// <summary>How the energy was derived.</summary>
    public DeltaMethod Method { get; }

    /// <summary>How far the energy can be trusted.</summary>
    public Confidence Confidence { get; }

    /// <summary>Flags of the segment.</summary>
    public EntryMarks Marks { get; }

    /// <summary><see cref="EntryKind.Posting"/> or <see cref="EntryKind.ResetMarker"/>.</summary>
    public EntryKind Kind { get; }

    /// <summary>Event id of the earlier reading r1.</summary>
    public long FromEventId { get; }

    /// <summary>Event id of the later reading r2.</summary>
    public long ToEventId { get; }

    /// <summary>The period [Start, End) as a NodaTime interval.</summary>
    public Interval Period => new(Start, End);

    /// <summary>A segment whose values the caller guarantees valid (no checks; see the private constructor).</summary>
    internal static EnergySegment Unchecked(
        string deviceKey, Instant start, Instant end, decimal energyWh, decimal heldEnergyWh, decimal onTimeSeconds,
        DeltaMethod method, Confidence confidence, EntryMarks marks, EntryKind kind, long fromEventId, long toEventId) =>
        new(deviceKey, start, end, energyWh, heldEnergyWh, onTimeSeconds, method, confidence, marks, kind, fromEventId, toEventId, checkedByCaller: true);

    /// <summary>A copy over [<paramref name="start"/>, <paramref name="end"/>] with the given quantities (used by the splitter).</summary>
    internal EnergySegment WithPiece(Instant start, Instant end, decimal energyWh, decimal heldEnergyWh, decimal onTimeSeconds) =>
        new(DeviceKey, start, end, energyWh, heldEnergyWh, onTimeSeconds, Method, Confidence, Marks, Kind, FromEventId, ToEventId);

    private static void CheckQuantity(decimal value, int decimals, string name)
    {
        if (value < 0m || !Quantities.HasAtMostDecimals(value, decimals))
        {
            throw new ArgumentOutOfRangeException(name, value, $"Must be >= 0 with at most {decimals.ToString(System.Globalization.CultureInfo.InvariantCulture)} decimals.");
        }
    }
}
