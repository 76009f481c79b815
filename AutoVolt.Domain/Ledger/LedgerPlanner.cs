using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;
using NodaTime;

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
        var lines = new List<LedgerLine>(segments is IReadOnlyCollection<EnergySegment> known ? known.Count : 0);
        var day = new SiteCalendar.DayCursor(calendar);
        string? timelineKey = null;
        CostTimeline? timeline = null;
        int versionIndex = -1;
        foreach (var segment in segments)
        {
            if (timeline is null || !string.Equals(segment.DeviceKey, timelineKey, StringComparison.Ordinal))
            {
                timeline = resolver.TimelineFor(classroom, segment.DeviceKey);
                timelineKey = segment.DeviceKey;
                versionIndex = -1;
            }
            versionIndex = timeline.IndexAt(segment.Start, versionIndex);
            var date = day.DateOf(segment.Start, out var endOfDay);
            if (endOfDay >= segment.End && !timeline.ChangesBefore(versionIndex, segment.End))
            {
                // the common case: no local midnight and no change of version inside, the segment is the only piece
                lines.Add(Line(segment, date, timeline.VersionAt(versionIndex), classroom, unpricedCurrency));
                continue;
            }
            var boundaries = resolver.Boundaries(segment.Period, classroom, segment.DeviceKey);
            foreach (var piece in IntervalSplitter.Split(segment, calendar, boundaries))
            {
                versionIndex = timeline.IndexAt(piece.Start, versionIndex);
                lines.Add(Line(piece, day.DateOf(piece.Start, out _), timeline.VersionAt(versionIndex), classroom, unpricedCurrency));
            }
        }
        return lines;
    }

    // A piece that spans no local midnight nor version change, priced with the version in effect at its start. Quantities
    // come from a checked segment, the rate from a checked version, and cost = energy × rate / 1000 is >= 0: valid by
    // construction, so no checks are repeated.
    private static LedgerLine Line(EnergySegment piece, LocalDate date, CostVersion? version, string classroom, string unpricedCurrency) =>
        LedgerLine.Unchecked(
            piece.DeviceKey,
            classroom,
            piece.Start,
            piece.End,
            date,
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
            piece.ToEventId);
}
