using AutoVolt.Domain.Ledger;
using NodaTime;

namespace AutoVolt.Domain.Telemetry;

/// <summary>Outcome of <see cref="ClockRules.Check"/>.</summary>
/// <param name="Timestamp">The accounting time: the trusted board timestamp, or the receive time.</param>
/// <param name="Marks">
/// <see cref="EntryMarks.None"/>, <see cref="EntryMarks.LateDelivery"/> or <see cref="EntryMarks.ClockInvalid"/>.
/// </param>
public readonly record struct ClockCheck(Instant Timestamp, EntryMarks Marks)
{
    /// <summary>True when the board's timestamp was trusted (no <see cref="EntryMarks.ClockInvalid"/>).</summary>
    public bool IsBoardClockTrusted => (Marks & EntryMarks.ClockInvalid) == 0;
}
