using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;

namespace AutoVolt.Domain.Ledger;

/// <summary>
/// Accounts a window of one device's readings: the entry point of derivation and re-derivation.
/// </summary>
public static class DeviceAccounting
{
    /// <summary>
    /// Segments of every consecutive pair of <paramref name="readings"/> (see <see cref="DeltaCalculator"/>), in time order.
    /// </summary>
    /// <remarks>
    /// <para>Deterministic: the readings may come in any order and with any duplicates. Readings with the same
    /// measurement (<see cref="AccountingReading.HasSameMeasurement"/>) count once, as the one with the lowest
    /// event id; the rest are ordered by (timestamp, sequence number with null first, then the measurement, event id last; see <see cref="Order"/>).</para>
    /// <para>To account the window (a, b], pass the last reading at or before a (the anchor) together with every
    /// reading in (a, b]: the first reading only opens the first interval.</para>
    /// </remarks>
    /// <param name="readings">Readings of one device, any order; fewer than two yield no segment.</param>
    /// <param name="policy">Thresholds and accepted held deltas.</param>
    /// <param name="statuses">The board's status events; null = none known.</param>
    /// <exception cref="ArgumentException">The readings belong to more than one device.</exception>
    public static IReadOnlyList<EnergySegment> Derive(
        IReadOnlyList<AccountingReading> readings, DeltaPolicy policy, BoardStatusTimeline? statuses = null)
    {
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentNullException.ThrowIfNull(policy);
        var ordered = Prepare(readings);
        var segments = new List<EnergySegment>(Math.Max(ordered.Count - 1, 0));
        var sink = new SegmentListSink(segments);
        Walk(ordered, policy, statuses, ref sink);
        return segments;
    }

    /// <summary>
    /// The ledger lines of the readings: the same lines, in the same order, as
    /// <c>LedgerPlanner.Plan(Derive(readings, policy, statuses), calendar, resolver, classroom, unpricedCurrency)</c>,
    /// computed in one pass without the intermediate <see cref="EnergySegment"/> objects (allocates the lines only).
    /// </summary>
    /// <param name="readings">Readings of one device, any order (see <see cref="Derive"/>).</param>
    /// <param name="policy">Thresholds and accepted held deltas.</param>
    /// <param name="statuses">The board's status events; null = none known.</param>
    /// <param name="calendar">The site calendar.</param>
    /// <param name="resolver">The cost versions.</param>
    /// <param name="classroom">Classroom of the device; empty when unknown.</param>
    /// <param name="unpricedCurrency">Currency recorded on unpriced lines.</param>
    /// <exception cref="ArgumentException">The readings belong to more than one device.</exception>
    public static IReadOnlyList<LedgerLine> DeriveAndPlan(
        IReadOnlyList<AccountingReading> readings,
        DeltaPolicy policy,
        BoardStatusTimeline? statuses,
        SiteCalendar calendar,
        CostVersionResolver resolver,
        string classroom,
        string unpricedCurrency = SiteDefaults.Currency)
    {
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(classroom);
        ArgumentNullException.ThrowIfNull(unpricedCurrency);
        var ordered = Prepare(readings);
        // one line per pair, plus room for the pieces split off at midnights and rate changes
        int pairs = Math.Max(ordered.Count - 1, 0);
        var lines = new List<LedgerLine>(pairs + (pairs / 32) + 4);
        var sink = new LedgerPlanner.LineSink(lines, calendar, resolver, classroom, unpricedCurrency);
        Walk(ordered, policy, statuses, ref sink);
        return lines;
    }

    private static IReadOnlyList<AccountingReading> Prepare(IReadOnlyList<AccountingReading> readings)
    {
        for (int i = 1; i < readings.Count; i++)
        {
            if (!string.Equals(readings[i].DeviceKey, readings[0].DeviceKey, StringComparison.Ordinal))
            {
                throw new ArgumentException("All readings must belong to one device.", nameof(readings));
            }
        }
        // Readings usually arrive already in accounting order (the ledger job loads them sorted): then the input is
        // used as is, without sorting or copying.
        return IsInAccountingOrder(readings) ? readings : Order(readings);
    }

    private static void Walk<TSink>(IReadOnlyList<AccountingReading> ordered, DeltaPolicy policy, BoardStatusTimeline? statuses, ref TSink sink)
        where TSink : struct, ISegmentSink
    {
        var timeline = statuses ?? BoardStatusTimeline.Empty;
        var math = new DeltaCalculator.IntervalMath(policy);
        for (int i = 1; i < ordered.Count; i++)
        {
            DeltaCalculator.Append(ordered[i - 1], ordered[i], policy, timeline, ref sink, ref math);
        }
    }

    /// <summary>
    /// True when every reading comes strictly after the one before it in the order of <see cref="Order"/> and no two
    /// consecutive ones share (timestamp, sequence number) — then <see cref="Order"/> would return them unchanged
    /// (no duplicate can exist, since duplicates share timestamp and sequence number).
    /// </summary>
    private static bool IsInAccountingOrder(IReadOnlyList<AccountingReading> readings)
    {
        for (int i = 1; i < readings.Count; i++)
        {
            var previous = readings[i - 1];
            var current = readings[i];
            if (SameSlot(previous, current) || CompareOrder(previous, current) >= 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The readings without duplicate measurements (lowest event id kept), ordered by (timestamp, sequence number
    /// with null first, then — for distinct readings sharing both — uptime descending, boot id, counter, power, switch;
    /// event id last): the order <see cref="Derive"/> accounts them in, independent of arrival order.
    /// </summary>
    public static IReadOnlyList<AccountingReading> Order(IEnumerable<AccountingReading> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        // A stable sort by (timestamp, sequence number with null first, measurement, event id), then duplicates dropped: readings
        // with the same measurement share timestamp and sequence number, so they sit in one run of equal
        // (timestamp, sequence number), where the first one (the lowest event id) is kept. No hashing of every
        // reading, no LINQ: this runs on every derivation.
        var input = readings as AccountingReading[] ?? [.. readings];
        var index = new int[input.Length];
        for (int i = 0; i < index.Length; i++)
        {
            index[i] = i;
        }
        Array.Sort(index, (a, b) =>
        {
            int c = CompareOrder(input[a], input[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var result = new List<AccountingReading>(input.Length);
        int runStart = 0;
        for (int k = 0; k < index.Length; k++)
        {
            var r = input[index[k]];
            if (k > 0 && !SameSlot(input[index[k - 1]], r))
            {
                runStart = result.Count;
            }
            bool duplicate = false;
            for (int j = runStart; j < result.Count; j++)
            {
                if (result[j].HasSameMeasurement(r))
                {
                    duplicate = true;
                    break;
                }
            }
            if (!duplicate)
            {
                result.Add(r);
            }
        }
        return result;
    }

    private static int CompareOrder(AccountingReading x, AccountingReading y)
    {
        int c = x.Timestamp.CompareTo(y.Timestamp);
        if (c != 0)
        {
            return c;
        }
        c = x.SequenceNo.HasValue.CompareTo(y.SequenceNo.HasValue);
        if (c != 0)
        {
            return c;
        }
        c = (x.SequenceNo ?? 0).CompareTo(y.SequenceNo ?? 0);
        if (c != 0)
        {
            return c;
        }
        // Same (timestamp, sequence number) but possibly different measurements (e.g. a reboot within the second, the
        // sequence restarting): order them by what they measured, never by arrival (event id), so that replaying the
        // same messages in any order gives the same totals (invariant 3). The longer uptime — the earlier boot — first.
        c = y.UptimeSeconds.GetValueOrDefault(long.MaxValue).CompareTo(x.UptimeSeconds.GetValueOrDefault(long.MaxValue));
        if (c != 0)
        {
            return c;
        }
        c = string.CompareOrdinal(x.BootId, y.BootId);
        if (c != 0)
        {
            return c;
        }
        c = Nullable.Compare(x.EnergyWhTotal, y.EnergyWhTotal);
        if (c != 0)
        {
            return c;
        }
        c = Nullable.Compare(x.PowerW, y.PowerW);
        if (c != 0)
        {
            return c;
        }
        c = Nullable.Compare(x.SwitchOn, y.SwitchOn);
        return c != 0 ? c : x.EventId.CompareTo(y.EventId);
    }

    private static bool SameSlot(AccountingReading x, AccountingReading y) => x.Timestamp == y.Timestamp && x.SequenceNo == y.SequenceNo;
}
