using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;

namespace AutoVolt.Domain.Ledger;

/// <summary>Turns accounted segments into priced ledger lines.</summary>
public static class LedgerPlanner
{
    /// <summary>
    /// Splits every segment at local midnights and at the changes of the cost version applying to its device
    /// (<see cref="IntervalSplitter"/>), and prices each piece with the version in effect at its start.
    /// </summary>
    /// <remarks>
    /// Cost is <c>energy × rate / 1000</c>, exact. A piece with no applicable version is unpriced: cost 0, no rate,
    /// no version id, currency <paramref name="unpricedCurrency"/>. Held energy is never priced.
    /// Lines come in segment order, pieces in time order.
    /// </remarks>
    /// <param name="segments">Segments of one or more devices of <paramref name="classroom"/>.</param>
    /// <param name="calendar">The site calendar.</param>
    /// <param name="resolver">The cost versions.</param>
    /// <param name="classroom">Classroom of the device(s), used for classroom-scoped versions and stored on the lines; empty when unknown.</param>
    /// <param name="unpricedCurrency">Currency recorded on unpriced lines (default <see cref="SiteDefaults.Currency"/>).</param>
    public static IReadOnlyList<LedgerLine> Plan(
        IEnumerable<EnergySegment> segments,
        SiteCalendar calendar,
        CostVersionResolver resolver,
        string classroom,
        string unpricedCurrency = SiteDefaults.Currency)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(classroom);
        var lines = new List<LedgerLine>();
        foreach (var segment in segments)
        {
            var boundaries = resolver.Boundaries(segment.Period, classroom, segment.DeviceKey);
            foreach (var piece in IntervalSplitter.Split(segment, calendar, boundaries))
            {
                var version = resolver.Resolve(piece.Start, classroom, piece.DeviceKey);
                lines.Add(new LedgerLine(
                    piece.DeviceKey,
                    classroom,
                    piece.Start,
                    piece.End,
                    calendar.DateOf(piece.Start),
                    piece.EnergyWh,
                    piece.HeldEnergyWh,
                    piece.OnTimeSeconds,
                    version is null ? 0m : Quantities.Cost(piece.EnergyWh, version.CostPerKwh),
                    version?.Currency ?? unpricedCurrency,
                    version?.CostPerKwh,
                    version?.Id,
                    piece.Method,
                    piece.Confidence,
                    piece.Marks,
                    piece.Kind,
                    piece.FromEventId,
                    piece.ToEventId));
            }
        }
        return lines;
    }
}
