using NodaTime;

namespace AutoVolt.Domain.Time;

/// <summary>
/// Local days and months of the site time zone (DESIGN.md section 3, "Splitting"). Works for any
/// IANA zone, including zones with daylight saving time: day bounds come from
/// <see cref="DateTimeZone.AtStartOfDay(LocalDate)"/>, so a local day may last 23, 24 or 25 hours
/// (or start at 01:00 where midnight itself is skipped).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class SiteCalendar
{
    /// <summary>Creates a calendar for the given zone.</summary>
    /// <param name="zone">The site zone; must not be null.</param>
    public SiteCalendar(DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        Zone = zone;
    }

    /// <summary>The site time zone.</summary>
    public DateTimeZone Zone { get; }

    /// <summary>Creates a calendar for an IANA zone id from the TZDB provider.</summary>
    /// <param name="zoneId">An IANA id such as <c>Asia/Kolkata</c>.</param>
    /// <exception cref="NodaTime.TimeZones.DateTimeZoneNotFoundException">The id is not a TZDB zone.</exception>
    public static SiteCalendar ForZoneId(string zoneId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(zoneId);
        return new SiteCalendar(DateTimeZoneProviders.Tzdb[zoneId]);
    }

    /// <summary>The local date (site zone) that contains <paramref name="instant"/>.</summary>
    public LocalDate DateOf(Instant instant) => instant.InZone(Zone).Date;

    /// <summary>The local year and month (site zone) that contains <paramref name="instant"/>.</summary>
    public YearMonth MonthOf(Instant instant) => DateOf(instant).ToYearMonth();

    /// <summary>First instant of a local date (inclusive), via <see cref="DateTimeZone.AtStartOfDay(LocalDate)"/>.</summary>
    public Instant StartOf(LocalDate date) => Zone.AtStartOfDay(date).ToInstant();

    /// <summary>End of a local date (exclusive): the start of the next local date.</summary>
    public Instant EndOf(LocalDate date) => StartOf(date.PlusDays(1));

    /// <summary>The half-open interval [start, end) of a local date; 23 or 25 hours long on DST change days.</summary>
    public Interval DayInterval(LocalDate date) => new(StartOf(date), EndOf(date));

    /// <summary>The half-open interval [start, end) of a local month.</summary>
    public Interval MonthInterval(YearMonth month) =>
        new(StartOf(month.OnDayOfMonth(1)), StartOf(month.PlusMonths(1).OnDayOfMonth(1)));

    /// <summary>
    /// Starts of local days strictly inside (<paramref name="start"/>, <paramref name="end"/>), ascending.
    /// Empty when the interval is empty or contains no local midnight.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="end"/> is before <paramref name="start"/>.</exception>
    public IReadOnlyList<Instant> MidnightsWithin(Instant start, Instant end)
    {
        if (end < start)
        {
            throw new ArgumentOutOfRangeException(nameof(end), "The end must not be before the start.");
        }
        var result = new List<Instant>();
        var next = EndOf(DateOf(start));
        while (next < end)
        {
            result.Add(next);
            next = EndOf(DateOf(next));
        }
        return result;
    }

    /// <summary>
    /// A cursor answering <see cref="DateOf"/> and <see cref="EndOf"/>(<see cref="DateOf"/>) for instants that mostly
    /// move forward in time, computing the zone conversion once per local day instead of once per instant.
    /// </summary>
    /// <remarks>
    /// The cached range is the part of one local day that lies in one zone interval (constant UTC offset): every instant
    /// in it has that local date, whatever the zone's rules, so answers are exactly those of <see cref="DateOf"/> and
    /// <see cref="EndOf"/>. Mutable: one per walk, not shared between threads.
    /// </remarks>
    internal struct DayCursor
    {
        private readonly SiteCalendar _calendar;
        private Instant _from;
        private Instant _until;
        private LocalDate _date;
        private Instant _endOfDay;
        private bool _valid;

        public DayCursor(SiteCalendar calendar)
        {
            _calendar = calendar;
            _from = default;
            _until = default;
            _date = default;
            _endOfDay = default;
            _valid = false;
        }

        /// <summary><see cref="DateOf"/>(<paramref name="instant"/>), and <see cref="EndOf"/> of that date in <paramref name="endOfDay"/>.</summary>
        public LocalDate DateOf(Instant instant, out Instant endOfDay)
        {
            if (!_valid || instant < _from || instant >= _until)
            {
                Move(instant);
            }
            endOfDay = _endOfDay;
            return _date;
        }

        private void Move(Instant instant)
        {
            var zone = _calendar.Zone;
            var interval = zone.GetZoneInterval(instant);
            var offset = interval.WallOffset;
            var date = instant.WithOffset(offset).Date;
            var dayStart = date.AtMidnight().WithOffset(offset).ToInstant();
            var dayEnd = date.PlusDays(1).AtMidnight().WithOffset(offset).ToInstant();
            _from = interval.HasStart && interval.Start > dayStart ? interval.Start : dayStart;
            _until = interval.HasEnd && interval.End < dayEnd ? interval.End : dayEnd;
            _date = date;
            _endOfDay = _calendar.EndOf(date);
            _valid = true;
        }
    }
}
