using AutoVolt.Domain.Ledger;
using NodaTime;

namespace AutoVolt.Domain.Time;

/// <summary>
/// Splits an <see cref="EnergySegment"/> so that no piece spans a local midnight of the site zone or a
/// cost-version boundary (DESIGN.md section 3, "Splitting"; section 4, invariant 1).
/// </summary>
/// <remarks>
/// Quantities are shared pro rata by time with cumulative rounding: with <c>T_i</c> the time from the
/// segment start to the end of piece <c>i</c> and <c>D</c> the segment duration, piece <c>i</c> gets
/// <c>round(Q·T_i/D) − round(Q·T_(i−1)/D)</c>, rounded to 6 decimals for energy (micro-Wh) and 3 for
/// on-time (ms), midpoints to even. The last piece therefore gets the remainder, the pieces sum
/// exactly to the whole, every piece is non-negative and within one unit of its exact share.
/// </remarks>
public static class IntervalSplitter
{
    /// <summary>
    /// Pieces of <paramref name="segment"/> cut at every local midnight and every boundary strictly inside
    /// (Start, End), in time order. A segment with nothing to cut is returned as the only piece.
    /// </summary>
    /// <param name="segment">The segment to split.</param>
    /// <param name="calendar">The site calendar giving local midnights.</param>
    /// <param name="boundaries">Extra cut instants (e.g. cost-version changes); those outside (Start, End) are ignored, duplicates are allowed.</param>
    public static IReadOnlyList<EnergySegment> Split(EnergySegment segment, SiteCalendar calendar, IEnumerable<Instant> boundaries)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(boundaries);

        var cuts = new SortedSet<Instant>(calendar.MidnightsWithin(segment.Start, segment.End));
        foreach (var b in boundaries)
        {
            if (b > segment.Start && b < segment.End)
            {
                cuts.Add(b);
            }
        }
        if (cuts.Count == 0)
        {
            return [segment];
        }

        decimal total = (segment.End - segment.Start).ToInt64Nanoseconds();
        var pieces = new List<EnergySegment>(cuts.Count + 1);
        var pieceStart = segment.Start;
        decimal energyBefore = 0m, heldBefore = 0m, onTimeBefore = 0m;
        foreach (var pieceEnd in cuts.Append(segment.End))
        {
            bool last = pieceEnd == segment.End;
            decimal fraction = (pieceEnd - segment.Start).ToInt64Nanoseconds() / total;
            decimal energyUpTo = last ? segment.EnergyWh : Quantities.RoundEnergy(segment.EnergyWh * fraction);
            decimal heldUpTo = last ? segment.HeldEnergyWh : Quantities.RoundEnergy(segment.HeldEnergyWh * fraction);
            decimal onTimeUpTo = last ? segment.OnTimeSeconds : Quantities.RoundSeconds(segment.OnTimeSeconds * fraction);
            pieces.Add(segment.WithPiece(pieceStart, pieceEnd, energyUpTo - energyBefore, heldUpTo - heldBefore, onTimeUpTo - onTimeBefore));
            energyBefore = energyUpTo;
            heldBefore = heldUpTo;
            onTimeBefore = onTimeUpTo;
            pieceStart = pieceEnd;
        }
        return pieces;
    }
}
