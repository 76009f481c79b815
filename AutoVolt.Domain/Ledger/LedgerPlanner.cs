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
        var sink = new LineSink(lines, calendar, resolver, classroom, unpricedCurrency);
        foreach (var segment in segments)
        {
            sink.Add(segment);
        }
        return lines;
    }

    /// <summary>
    /// Plans segments as they come (in time order per device for speed; any order is correct): splits and prices each into
    /// <c>lines</c>. Keeps the position in the device's <see cref="CostTimeline"/> and the current local day, so the common
    /// segment (no midnight, no version change inside) costs no zone conversion, no search and no allocation but its line.
    /// </summary>
    internal struct LineSink : ISegmentSink
    {
        private readonly List<LedgerLine> _lines;
        private readonly SiteCalendar _calendar;
        private readonly CostVersionResolver _resolver;
        private readonly string _classroom;
        private readonly string _unpricedCurrency;
        private SiteCalendar.DayCursor _day;
        private string? _timelineKey;
        private CostTimeline? _timeline;
        private int _versionIndex;

        public LineSink(List<LedgerLine> lines, SiteCalendar calendar, CostVersionResolver resolver, string classroom, string unpricedCurrency)
        {
            _lines = lines;
            _calendar = calendar;
            _resolver = resolver;
            _classroom = classroom;
            _unpricedCurrency = unpricedCurrency;
            _day = new SiteCalendar.DayCursor(calendar);
            _timelineKey = null;
            _timeline = null;
            _versionIndex = -1;
        }

        /// <inheritdoc/>
        public void Add(in SegmentValue segment)
        {
            var timeline = TimelineOf(segment.DeviceKey);
            _versionIndex = timeline.IndexAt(segment.Start, _versionIndex);
            var date = _day.DateOf(segment.Start, out var endOfDay);
            if (endOfDay >= segment.End && !timeline.ChangesBefore(_versionIndex, segment.End))
            {
                // the common case: no local midnight and no change of version inside, the segment is the only piece
                _lines.Add(Line(segment, date, timeline.VersionAt(_versionIndex)));
                return;
            }
            Split(segment.ToSegment(), timeline);
        }

        /// <summary>Takes an existing segment object.</summary>
        public void Add(EnergySegment segment)
        {
            var timeline = TimelineOf(segment.DeviceKey);
            _versionIndex = timeline.IndexAt(segment.Start, _versionIndex);
            var date = _day.DateOf(segment.Start, out var endOfDay);
            if (endOfDay >= segment.End && !timeline.ChangesBefore(_versionIndex, segment.End))
            {
                _lines.Add(Line(SegmentValue.Of(segment), date, timeline.VersionAt(_versionIndex)));
                return;
            }
            Split(segment, timeline);
        }

        private CostTimeline TimelineOf(string deviceKey)
        {
            if (_timeline is null || !string.Equals(deviceKey, _timelineKey, StringComparison.Ordinal))
            {
                _timeline = _resolver.TimelineFor(_classroom, deviceKey);
                _timelineKey = deviceKey;
                _versionIndex = -1;
            }
            return _timeline;
        }

        private void Split(EnergySegment segment, CostTimeline timeline)
        {
            var boundaries = _resolver.Boundaries(segment.Period, _classroom, segment.DeviceKey);
            foreach (var piece in IntervalSplitter.Split(segment, _calendar, boundaries))
            {
                _versionIndex = timeline.IndexAt(piece.Start, _versionIndex);
                _lines.Add(Line(SegmentValue.Of(piece), _day.DateOf(piece.Start, out _), timeline.VersionAt(_versionIndex)));
            }
        }

        // A piece that spans no local midnight nor version change, priced with the version in effect at its start. Quantities
        // come from a checked segment, the rate from a checked version, and cost = energy × rate / 1000 is >= 0: valid by
        // construction, so no checks are repeated.
        private readonly LedgerLine Line(in SegmentValue piece, LocalDate date, CostVersion? version)
        {
            if (version is null && string.IsNullOrWhiteSpace(_unpricedCurrency))
            {
                // the one value not checked before: as the line constructor would, refuse a blank currency on an unpriced line
                ArgumentException.ThrowIfNullOrWhiteSpace(_unpricedCurrency, "currency");
            }
            return LedgerLine.Unchecked(
                piece.DeviceKey,
                _classroom,
                piece.Start,
                piece.End,
                date,
                piece.EnergyWh,
                piece.HeldEnergyWh,
                piece.OnTimeSeconds,
                version is null ? 0m : Quantities.Cost(piece.EnergyWh, version.CostPerKwh),
                version?.Currency ?? _unpricedCurrency,
                version?.CostPerKwh,
                version?.Id,
                piece.Method,
                piece.Confidence,
                piece.Marks,
                piece.Kind,
                piece.FromEventId,
                piece.ToEventId);
        }
    }
}
