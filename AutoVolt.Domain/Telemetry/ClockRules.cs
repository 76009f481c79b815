using AutoVolt.Domain.Ledger;
using NodaTime;

namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// When a board's own timestamp is trusted (DESIGN.md section 3, "Clock"). A timestamp in the
/// past is trusted: boards replay readings they buffered while offline. A timestamp more than
/// <see cref="FutureTolerance"/> ahead of receipt, or before <see cref="EarliestValid"/> (board not
/// yet NTP-synced), is replaced by the receive time and marked <see cref="EntryMarks.ClockInvalid"/>.
/// </summary>
public sealed record ClockRules
{
    /// <summary>The defaults: 5 min future tolerance, earliest 2020-01-01T00:00Z, 120 s settle window.</summary>
    public static ClockRules Default { get; } = new();

    /// <summary>
    /// How far ahead of the receive time a board timestamp may be and still be trusted (inclusive).
    /// Default 5 minutes; must not be negative.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public Duration FutureTolerance
    {
        get;
        init => field = value < Duration.Zero
            ? throw new ArgumentOutOfRangeException(nameof(FutureTolerance), value, "Must not be negative.")
            : value;
    } = Duration.FromMinutes(5);

    /// <summary>
    /// Earliest trusted board timestamp (inclusive). Default 2020-01-01T00:00:00Z; an ESP32 that has
    /// not synced NTP reports 1970.
    /// </summary>
    public Instant EarliestValid { get; init; } = Instant.FromUtc(2020, 1, 1, 0, 0);

    /// <summary>
    /// Settle window of the ledger job (DESIGN.md <c>Ledger:SettleSeconds</c>, default 120 s). A
    /// reading whose trusted timestamp is more than this before its receipt (exclusive) is marked
    /// <see cref="EntryMarks.LateDelivery"/>. Must not be negative.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public Duration SettleWindow
    {
        get;
        init => field = value < Duration.Zero
            ? throw new ArgumentOutOfRangeException(nameof(SettleWindow), value, "Must not be negative.")
            : value;
    } = Duration.FromSeconds(120);

    /// <summary>
    /// True when a board timestamp can be trusted against <paramref name="receivedAt"/>: not before
    /// <see cref="EarliestValid"/> and at most <see cref="FutureTolerance"/> after the receive time.
    /// </summary>
    /// <param name="boardTimestamp">The instant the board reported.</param>
    /// <param name="receivedAt">When the message reached the ingestion service.</param>
    /// <returns>True when trusted.</returns>
    public bool IsTrusted(Instant boardTimestamp, Instant receivedAt) =>
        boardTimestamp >= EarliestValid && boardTimestamp - receivedAt <= FutureTolerance;

    /// <summary>
    /// Applies the clock rules: the accounting time and the clock marks of a reading.
    /// </summary>
    /// <param name="boardTimestamp">The board's timestamp, or null when the payload had none.</param>
    /// <param name="receivedAt">When the message reached the ingestion service.</param>
    /// <returns>
    /// The board timestamp when trusted (with <see cref="EntryMarks.LateDelivery"/> when older than the
    /// settle window), else <paramref name="receivedAt"/> with <see cref="EntryMarks.ClockInvalid"/>.
    /// </returns>
    public ClockCheck Check(Instant? boardTimestamp, Instant receivedAt)
    {
        if (boardTimestamp is not { } board || !IsTrusted(board, receivedAt))
        {
            return new ClockCheck(receivedAt, EntryMarks.ClockInvalid);
        }
        var marks = receivedAt - board > SettleWindow ? EntryMarks.LateDelivery : EntryMarks.None;
        return new ClockCheck(board, marks);
    }
}
