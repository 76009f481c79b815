using NodaTime;

namespace AutoVolt.Domain.Ledger;

/// <summary>
/// The delta rules of DESIGN.md section 3 between two consecutive readings r1 → r2 of one device.
/// </summary>
/// <remarks>
/// <para><b>Cumulative</b> (both readings carry <c>energy_wh_total</c>): <c>e2 − e1</c> over [t1, t2];
/// confidence high, medium across a gap (flag <see cref="EntryMarks.Gap"/>); flag <see cref="EntryMarks.Reboot"/>
/// when the board rebooted but the counter survived. Over an interval where r1's switch was OFF the delta is
/// kept and flagged <see cref="EntryMarks.EnergyWhileOff"/> when above <see cref="DeltaPolicy.NoiseWh"/>.</para>
/// <para><b>Counter drop</b> (<c>e2 &lt; e1</c>): a <see cref="EntryKind.ResetMarker"/> over [t1, boot] with zero
/// energy and a posting of <c>e2</c> over [boot, t2], both <see cref="DeltaMethod.CumulativeSinceReset"/>, confidence
/// medium, flag <see cref="EntryMarks.Reset"/>. boot = t2 − r2.uptime clamped to [t1, t2] when r2 shows a reboot and
/// sends its uptime, else t1. A drop without any sign of reboot is also flagged <see cref="EntryMarks.CounterWrap"/>
/// (wrap or meter swap, for review).</para>
/// <para><b>Power integration</b> (otherwise, when r1 carries <c>power_w</c>): zero-order hold <c>p1 × (t2 − t1)</c>,
/// counted only while r1's switch is ON (or unmapped: flag <see cref="EntryMarks.NoSwitchMapping"/>); confidence medium.
/// Across a gap it is an estimate: confidence low, flags <see cref="EntryMarks.Gap"/> and <see cref="EntryMarks.Estimated"/>.
/// When r2 shows a reboot and sends its uptime, the hold stops at r2's boot time (relays start OFF) and [boot, t2]
/// is a zero-energy posting. This applies with or without a gap (DESIGN.md states it for gaps; a reboot within a short
/// interval cuts power just the same).</para>
/// <para><b>Plausibility</b>: a counted energy above <see cref="DeltaPolicy.MaxPowerW"/> × duration (rounded to µWh)
/// is held (energy 0, raw value in <see cref="EnergySegment.HeldEnergyWh"/>, flag <see cref="EntryMarks.Held"/>),
/// unless its <see cref="DeltaKey"/> is in <see cref="DeltaPolicy.AcceptedHeldDeltas"/> (counted, flag
/// <see cref="EntryMarks.Accepted"/>). A positive energy over a zero-length interval is always implausible.</para>
/// <para><b>Reboot</b> is detected by a different boot id (when both readings carry one, it alone decides); otherwise
/// by uptime or sequence number going down, or by r2's uptime placing its boot after t1 + <see cref="DeltaPolicy.RebootTolerance"/>
/// (not used when either reading is <see cref="EntryMarks.ClockInvalid"/>).</para>
/// <para><b>Other flags</b>: <see cref="EntryMarks.Offline"/> when an offline status lies inside (t1, t2); every flag
/// of r2, and <see cref="EntryMarks.ClockInvalid"/>/<see cref="EntryMarks.Migrated"/> of r1, are carried over.
/// On-time is the counted hold duration when the switch was ON (or unmapped with p1 &gt; 0).</para>
/// <para>Energy is never negative. Readings with the same measurement (a duplicate) yield nothing; a pair with neither
/// counters on both sides nor r1's power yields nothing (no data to account).</para>
/// </remarks>
public static class DeltaCalculator
{
    private const EntryMarks CarriedFromEarlier = EntryMarks.ClockInvalid | EntryMarks.Migrated;
    private static readonly decimal NanosecondsPerHour = 3_600_000_000_000m;
    private static readonly decimal NanosecondsPerSecond = 1_000_000_000m;

    /// <summary>
    /// Segments accounting the interval from <paramref name="previous"/> to <paramref name="current"/>, in time order.
    /// </summary>
    /// <param name="previous">The earlier reading r1.</param>
    /// <param name="current">The later reading r2 (same device, not before r1).</param>
    /// <param name="policy">Thresholds and accepted held deltas.</param>
    /// <param name="statuses">The board's status events, for the <see cref="EntryMarks.Offline"/> flag; null = none known.</param>
    /// <exception cref="ArgumentException">The readings belong to different devices or are out of order.</exception>
    public static IReadOnlyList<EnergySegment> Calculate(
        AccountingReading previous, AccountingReading current, DeltaPolicy policy, BoardStatusTimeline? statuses = null)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(policy);
        if (!string.Equals(previous.DeviceKey, current.DeviceKey, StringComparison.Ordinal))
        {
            throw new ArgumentException("Both readings must belong to the same device.", nameof(current));
        }
        if (current.Timestamp < previous.Timestamp)
        {
            throw new ArgumentException("The readings must be in time order.", nameof(current));
        }
        var output = new List<EnergySegment>(2);
        var sink = new SegmentListSink(output);
        var math = new IntervalMath(policy);
        Append(previous, current, policy, statuses ?? BoardStatusTimeline.Empty, ref sink, ref math);
        return output;
    }

    /// <summary>
    /// <see cref="Calculate"/> without argument checks, appending to <paramref name="output"/>: the hot loop of
    /// <see cref="DeviceAccounting.Derive"/> (same device and time order guaranteed by the caller). Allocates nothing itself.
    /// </summary>
    internal static void Append<TSink>(
        AccountingReading previous, AccountingReading current, DeltaPolicy policy, BoardStatusTimeline statuses,
        ref TSink output, ref IntervalMath math)
        where TSink : struct, ISegmentSink
    {
        if (previous.HasSameMeasurement(current))
        {
            return;
        }
        if (previous.EnergyWhTotal is decimal e1 && current.EnergyWhTotal is decimal e2)
        {
            var pair = new Pair(previous, current, policy, statuses);
            if (e2 >= e1)
            {
                pair.Cumulative(e2 - e1, ref output, ref math);
            }
            else
            {
                pair.CounterDrop(e2, ref output, ref math);
            }
        }
        else if (previous.PowerW is decimal p1)
        {
            new Pair(previous, current, policy, statuses).PowerIntegration(p1, ref output, ref math);
        }
    }

    /// <summary>True when r2 shows the board rebooted since r1 (see the remarks of <see cref="DeltaCalculator"/>).</summary>
    public static bool IsReboot(AccountingReading previous, AccountingReading current, DeltaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(policy);
        if (previous.BootId is not null && current.BootId is not null)
        {
            return !string.Equals(previous.BootId, current.BootId, StringComparison.Ordinal);
        }
        if (previous.UptimeSeconds is long u1 && current.UptimeSeconds is long u2 && u2 < u1)
        {
            return true;
        }
        if (previous.SequenceNo is long s1 && current.SequenceNo is long s2 && s2 < s1)
        {
            return true;
        }
        bool clocksValid = ((previous.Marks | current.Marks) & EntryMarks.ClockInvalid) == 0;
        if (clocksValid && current.UptimeSeconds is long uptime)
        {
            long elapsedSeconds = (current.Timestamp - previous.Timestamp).ToInt64Nanoseconds() / 1_000_000_000L;
            return uptime < elapsedSeconds - (policy.RebootTolerance.ToInt64Nanoseconds() / 1_000_000_000L);
        }
        return false;
    }

    /// <summary>
    /// r2's boot time <c>t2 − uptime</c> clamped to [t1, t2]; null when r2 sends no uptime.
    /// </summary>
    public static Instant? BootTime(AccountingReading previous, AccountingReading current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        if (current.UptimeSeconds is not long uptime)
        {
            return null;
        }
        var elapsed = current.Timestamp - previous.Timestamp;
        if (uptime > elapsed.ToInt64Nanoseconds() / 1_000_000_000L)
        {
            // also keeps the subtraction below from leaving the representable range for absurd uptimes
            return previous.Timestamp;
        }
        var boot = current.Timestamp - Duration.FromSeconds(uptime);
        return boot < previous.Timestamp ? previous.Timestamp : boot;
    }

    private static decimal Hours(Instant start, Instant end) => Hours((end - start).ToInt64Nanoseconds());

    private static decimal Hours(long nanoseconds) => nanoseconds / NanosecondsPerHour;

    private static decimal Seconds(long nanoseconds) => Quantities.RoundSeconds(nanoseconds / NanosecondsPerSecond);

    /// <summary>
    /// The duration-only quantities of a posting (plausibility limit, on-time), remembered for the last duration seen:
    /// readings usually come at a fixed period, so consecutive pairs mostly share their duration. The values are
    /// exactly those of the formulas (same decimal operations, same result bits), only not recomputed.
    /// </summary>
    internal struct IntervalMath
    {
        private readonly decimal _maxPowerW;
        private long _limitNanoseconds;
        private decimal _limit;
        private long _secondsNanoseconds;
        private decimal _seconds;

        public IntervalMath(DeltaPolicy policy)
        {
            _maxPowerW = policy.MaxPowerW;
            _limitNanoseconds = -1;
            _limit = 0m;
            _secondsNanoseconds = -1;
            _seconds = 0m;
        }

        /// <summary><c>round6(MaxPowerW × hours)</c>: the most energy plausible over the duration.</summary>
        public decimal Limit(long nanoseconds)
        {
            if (nanoseconds != _limitNanoseconds)
            {
                _limit = Quantities.RoundEnergy(_maxPowerW * Hours(nanoseconds));
                _limitNanoseconds = nanoseconds;
            }
            return _limit;
        }

        /// <summary>The duration in seconds rounded to ms.</summary>
        public decimal Seconds(long nanoseconds)
        {
            if (nanoseconds != _secondsNanoseconds)
            {
                _seconds = DeltaCalculator.Seconds(nanoseconds);
                _secondsNanoseconds = nanoseconds;
            }
            return _seconds;
        }
    }

    private readonly struct Pair
    {
        private readonly AccountingReading _r1;
        private readonly AccountingReading _r2;
        private readonly DeltaPolicy _policy;
        private readonly bool _reboot;
        private readonly bool _gap;
        private readonly EntryMarks _marks;

        public Pair(AccountingReading r1, AccountingReading r2, DeltaPolicy policy, BoardStatusTimeline statuses)
        {
            _r1 = r1;
            _r2 = r2;
            _policy = policy;
            _reboot = IsReboot(r1, r2, policy);
            _gap = r2.Timestamp - r1.Timestamp > policy.MaxGap;
            var marks = r2.Marks | (r1.Marks & CarriedFromEarlier);
            if (_reboot)
            {
                marks |= EntryMarks.Reboot;
            }
            if (_gap)
            {
                marks |= EntryMarks.Gap;
            }
            if (statuses.HasOfflineWithin(r1.Timestamp, r2.Timestamp))
            {
                marks |= EntryMarks.Offline;
            }
            if (r1.SwitchOn is null)
            {
                marks |= EntryMarks.NoSwitchMapping;
            }
            _marks = marks;
        }

        private Instant T1 => _r1.Timestamp;

        private Instant T2 => _r2.Timestamp;

        /// <summary>Whether the load counts as ON for on-time: the switch, else (unmapped) positive power.</summary>
        private bool LoadOn => _r1.SwitchOn ?? _r1.PowerW > 0m;

        public void Cumulative<TSink>(decimal rawDelta, ref TSink output, ref IntervalMath math)
            where TSink : struct, ISegmentSink
        {
            var marks = _marks;
            if (_r1.SwitchOn == false && rawDelta > _policy.NoiseWh)
            {
                marks |= EntryMarks.EnergyWhileOff;
            }
            var confidence = _gap ? Confidence.Medium : Confidence.High;
            output.Add(Posting(T1, T2, Quantities.RoundEnergy(rawDelta), DeltaMethod.Cumulative, confidence, marks, ref math));
        }

        public void CounterDrop<TSink>(decimal counterNow, ref TSink output, ref IntervalMath math)
            where TSink : struct, ISegmentSink
        {
            var marks = _marks | EntryMarks.Reset;
            if (!_reboot)
            {
                marks |= EntryMarks.CounterWrap;
            }
            if (_r1.SwitchOn == false && counterNow > _policy.NoiseWh)
            {
                marks |= EntryMarks.EnergyWhileOff;
            }
            var boot = _reboot ? BootTime(_r1, _r2) ?? T1 : T1;
            output.Add(new SegmentValue(
                _r1.DeviceKey, T1, boot, 0m, 0m, 0m, DeltaMethod.CumulativeSinceReset, Confidence.Medium, marks,
                EntryKind.ResetMarker, _r1.EventId, _r2.EventId));
            output.Add(Posting(boot, T2, Quantities.RoundEnergy(counterNow), DeltaMethod.CumulativeSinceReset, Confidence.Medium, marks, ref math));
        }

        public void PowerIntegration<TSink>(decimal powerW, ref TSink output, ref IntervalMath math)
            where TSink : struct, ISegmentSink
        {
            var holdEnd = _reboot ? BootTime(_r1, _r2) ?? T2 : T2;
            bool counts = _r1.SwitchOn != false;
            var confidence = _gap ? Confidence.Low : Confidence.Medium;
            var marks = _gap ? _marks | EntryMarks.Estimated : _marks;
            decimal energy = counts ? Quantities.RoundEnergy(powerW * Hours(T1, holdEnd)) : 0m;
            output.Add(Posting(T1, holdEnd, energy, DeltaMethod.PowerIntegration, confidence, marks, ref math));
            if (holdEnd != T2)
            {
                output.Add(new SegmentValue(
                    _r1.DeviceKey, holdEnd, T2, 0m, 0m, 0m, DeltaMethod.PowerIntegration, confidence, _marks,
                    EntryKind.Posting, _r1.EventId, _r2.EventId));
            }
        }

        // energy is RoundEnergy of a non-negative value, on-time RoundSeconds of a non-negative duration: valid by construction.
        private SegmentValue Posting(
            Instant start, Instant end, decimal energy, DeltaMethod method, Confidence confidence, EntryMarks marks, ref IntervalMath math)
        {
            decimal held = 0m;
            long nanoseconds = (end - start).ToInt64Nanoseconds();
            // the limit is >= 0, so a zero energy never exceeds it (no need to compute it)
            if (energy > 0m && energy > math.Limit(nanoseconds))
            {
                if (_policy.AcceptedHeldDeltas.Contains(new DeltaKey(_r1.EventId, _r2.EventId)))
                {
                    marks |= EntryMarks.Accepted;
                }
                else
                {
                    held = energy;
                    energy = 0m;
                    marks |= EntryMarks.Held;
                }
            }
            decimal onTime = LoadOn ? math.Seconds(nanoseconds) : 0m;
            return new SegmentValue(_r1.DeviceKey, start, end, energy, held, onTime, method, confidence, marks, EntryKind.Posting, _r1.EventId, _r2.EventId);
        }
    }
}
