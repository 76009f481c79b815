using System.Globalization;
using NodaTime;

namespace AutoVolt.Domain.Ledger;

/// <summary>
/// The content of one <c>ledger_entries</c> row: a priced piece of energy of one device that never spans a
/// local midnight or a change of cost version. Value equality compares content only (no row id, revision or
/// creation time), which is what <see cref="WindowRederivation"/> compares.
/// </summary>
/// <remarks>
/// Quantities follow <see cref="Quantities"/>. <see cref="Cost"/> is exactly
/// <c><see cref="EnergyWh"/> × <see cref="RatePerKwh"/> / 1000</c> (not rounded; zero when unpriced) for lines made by
/// <see cref="LedgerPlanner"/>; the constructor checks signs only, so migrated rows load as stored.
/// A <see cref="EntryKind.Reversal"/> carries the negated quantities of the row it reverses, so sums of
/// signed lines are the live totals; postings and reset markers carry non-negative quantities.
/// </remarks>
public sealed record LedgerLine
{
    /// <summary>Creates a line; see the properties for bounds.</summary>
    /// <exception cref="ArgumentException">An empty device key or currency.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A bound or sign is violated.</exception>
    public LedgerLine(
        string deviceKey,
        string classroom,
        Instant periodStart,
        Instant periodEnd,
        LocalDate localDate,
        decimal energyWh,
        decimal heldEnergyWh,
        decimal onTimeSeconds,
        decimal cost,
        string currency,
        decimal? ratePerKwh,
        long? costVersionId,
        DeltaMethod method,
        Confidence confidence,
        EntryMarks marks,
        EntryKind kind,
        long? fromEventId,
        long? toEventId)
        : this(deviceKey, classroom, periodStart, periodEnd, localDate, energyWh, heldEnergyWh, onTimeSeconds, cost, currency,
            ratePerKwh, costVersionId, method, confidence, marks, kind, fromEventId, toEventId, checkedByCaller: true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceKey);
        ArgumentNullException.ThrowIfNull(classroom);
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);
        if (periodEnd < periodStart)
        {
            throw new ArgumentOutOfRangeException(nameof(periodEnd), "End must not be before start.");
        }
        int sign = kind == EntryKind.Reversal ? -1 : 1;
        CheckSigned(energyWh, sign, Quantities.EnergyDecimals, nameof(energyWh));
        CheckSigned(heldEnergyWh, sign, Quantities.EnergyDecimals, nameof(heldEnergyWh));
        CheckSigned(onTimeSeconds, sign, Quantities.SecondsDecimals, nameof(onTimeSeconds));
        CheckSigned(cost, sign, 28, nameof(cost));
        if (ratePerKwh is decimal rate && (rate < 0m || !Quantities.HasAtMostDecimals(rate, Quantities.RateDecimals)))
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerKwh), rate, "Rate must be >= 0 with at most 6 decimals.");
        }
    }

    // Assigns without checks: for the public constructor (which checks after) and for lines that are valid by
    // construction (LedgerPlanner: quantities of checked segments, rate of a checked CostVersion, cost = energy × rate / 1000).
#pragma warning disable IDE0060 // the flag only selects this overload
    private LedgerLine(
        string deviceKey, string classroom, Instant periodStart, Instant periodEnd, LocalDate localDate, decimal energyWh,
        decimal heldEnergyWh, decimal onTimeSeconds, decimal cost, string currency, decimal? ratePerKwh, long? costVersionId,
        DeltaMethod method, Confidence confidence, EntryMarks marks, EntryKind kind, long? fromEventId, long? toEventId, bool checkedByCaller)
#pragma warning restore IDE0060
    {
        DeviceKey = deviceKey;
        Classroom = classroom;
        PeriodStart = periodStart;
        PeriodEnd = periodEnd;
        LocalDate = localDate;
        EnergyWh = energyWh;
        HeldEnergyWh = heldEnergyWh;
        OnTimeSeconds = onTimeSeconds;
        Cost = cost;
        Currency = currency;
        RatePerKwh = ratePerKwh;
        CostVersionId = costVersionId;
        Method = method;
        Confidence = confidence;
        Marks = marks;
        Kind = kind;
        FromEventId = fromEventId;
        ToEventId = toEventId;
    }

    /// <summary>Device key <c>esp32_name/device_id</c>.</summary>
    public string DeviceKey { get; }

    /// <summary>Classroom of the device when accounted; empty when unknown.</summary>
    public string Classroom { get; }

    /// <summary>Start of the period (inclusive).</summary>
    public Instant PeriodStart { get; }

    /// <summary>End of the period (exclusive), at most the next local midnight.</summary>
    public Instant PeriodEnd { get; }

    /// <summary>Local date (site zone) of <see cref="PeriodStart"/>; the whole period lies in it.</summary>
    public LocalDate LocalDate { get; }

    /// <summary>Counted energy in Wh, 6 decimals; &gt;= 0 (&lt;= 0 for a reversal).</summary>
    public decimal EnergyWh { get; }

    /// <summary>Held (not counted) energy in Wh, 6 decimals; &gt;= 0 (&lt;= 0 for a reversal).</summary>
    public decimal HeldEnergyWh { get; }

    /// <summary>On-time in seconds, 3 decimals; &gt;= 0 (&lt;= 0 for a reversal).</summary>
    public decimal OnTimeSeconds { get; }

    /// <summary>Exact cost <c>EnergyWh × RatePerKwh / 1000</c> in <see cref="Currency"/>; 0 when unpriced.</summary>
    public decimal Cost { get; }

    /// <summary>ISO 4217 currency of <see cref="Cost"/> (the version's, or the site default when unpriced).</summary>
    public string Currency { get; }

    /// <summary>Rate per kWh applied; null when no cost version applied (unpriced).</summary>
    public decimal? RatePerKwh { get; }

    /// <summary>Id of the cost version applied; null when unpriced.</summary>
    public long? CostVersionId { get; }

    /// <summary>How the energy was derived.</summary>
    public DeltaMethod Method { get; }

    /// <summary>How far the energy can be trusted.</summary>
    public Confidence Confidence { get; }

    /// <summary>Flags.</summary>
    public EntryMarks Marks { get; }

    /// <summary>Posting, reversal or reset marker.</summary>
    public EntryKind Kind { get; }

    /// <summary>Event id of the earlier reading; null for rows without one (migrated).</summary>
    public long? FromEventId { get; }

    /// <summary>Event id of the later reading; null for rows without one (migrated).</summary>
    public long? ToEventId { get; }

    /// <summary>A line whose values the caller guarantees valid (no checks; see the private constructor).</summary>
    internal static LedgerLine Unchecked(
        string deviceKey, string classroom, Instant periodStart, Instant periodEnd, LocalDate localDate, decimal energyWh,
        decimal heldEnergyWh, decimal onTimeSeconds, decimal cost, string currency, decimal? ratePerKwh, long? costVersionId,
        DeltaMethod method, Confidence confidence, EntryMarks marks, EntryKind kind, long? fromEventId, long? toEventId) =>
        new(deviceKey, classroom, periodStart, periodEnd, localDate, energyWh, heldEnergyWh, onTimeSeconds, cost, currency,
            ratePerKwh, costVersionId, method, confidence, marks, kind, fromEventId, toEventId, checkedByCaller: true);

    /// <summary>
    /// The reversal of this line: same content, <see cref="EntryKind.Reversal"/>, quantities and cost negated.
    /// </summary>
    /// <exception cref="InvalidOperationException">This line is already a reversal.</exception>
    public LedgerLine ToReversal()
    {
        if (Kind == EntryKind.Reversal)
        {
            throw new InvalidOperationException("A reversal cannot be reversed.");
        }
        // Valid by construction: the negated quantities of a valid line are valid for a reversal.
        return new LedgerLine(
            DeviceKey, Classroom, PeriodStart, PeriodEnd, LocalDate, -EnergyWh, -HeldEnergyWh, -OnTimeSeconds, -Cost,
            Currency, RatePerKwh, CostVersionId, Method, Confidence, Marks, EntryKind.Reversal, FromEventId, ToEventId, checkedByCaller: true);
    }

    private static void CheckSigned(decimal value, int sign, int decimals, string name)
    {
        if (value * sign < 0m || !Quantities.HasAtMostDecimals(value, decimals))
        {
            throw new ArgumentOutOfRangeException(
                name, value, string.Create(CultureInfo.InvariantCulture, $"Wrong sign for the kind, or more than {decimals} decimals."));
        }
    }
}
