using NodaTime;

namespace AutoVolt.Domain.Time;

/// <summary>
/// Timeline buckets of local days and the pro-rata allocation of a quantity over them (DESIGN.md section 4,
/// invariant 2: the buckets of a local day sum exactly to that day's total).
/// </summary>
/// <remarks>
/// Buckets are aligned to the start of each local day of the site zone and advance by elapsed time, so a
/// 25-hour day (DST fall back) has 100 quarter-hour buckets and a 23-hour day 92; the last bucket of a day is
/// cut short at the day's end when the day length is not a multiple of the bucket length.
/// </remarks>
public static class TimeBuckets
{
    /// <summary>Bucket starts of <paramref name="date"/>: the day's start, then every <paramref name="bucket"/> before its end.</summary>
    /// <param name="calendar">The site calendar.</param>
    /// <param name="date">The local date.</param>
    /// <param name="bucket">Bucket length; positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucket"/> is not positive.</exception>
    public static IReadOnlyList<Instant> StartsOf(SiteCalendar calendar, LocalDate date, Duration bucket)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (bucket <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(bucket), "The bucket length must be positive.");
        }
        var (start, end) = (calendar.StartOf(date), calendar.EndOf(date));
        var result = new List<Instant>();
        for (var t = start; t < end; t += bucket)
        {
            result.Add(t);
        }
        return result;
    }

    /// <summary>
    /// Shares of <paramref name="amount"/> over the pieces of [<paramref name="start"/>, <paramref name="end"/>) cut at
    /// <paramref name="cuts"/>, pro rata by time with cumulative rounding to <paramref name="decimals"/> (midpoints to
    /// even): piece <c>i</c> gets <c>round(A·T_i/D) − round(A·T_(i−1)/D)</c> and the last piece the remainder, so the
    /// shares sum exactly to <paramref name="amount"/>. An empty interval gives everything to the first piece.
    /// </summary>
    /// <param name="start">Start of the interval.</param>
    /// <param name="end">End of the interval; not before <paramref name="start"/>.</param>
    /// <param name="cuts">Ascending cut instants strictly inside (start, end); there are <c>cuts.Count + 1</c> pieces.</param>
    /// <param name="amount">The quantity to share (any sign).</param>
    /// <param name="decimals">Decimals of each share (0–20).</param>
    /// <exception cref="ArgumentOutOfRangeException">The end is before the start, a cut is outside or out of order, or decimals are out of range.</exception>
    public static decimal[] ProRata(Instant start, Instant end, IReadOnlyList<Instant> cuts, decimal amount, int decimals)
    {
        ArgumentNullException.ThrowIfNull(cuts);
        if (end < start)
        {
            throw new ArgumentOutOfRangeException(nameof(end), "The end must not be before the start.");
        }
        if (decimals is < 0 or > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(decimals), "Decimals must be in [0, 20].");
        }
        var shares = new decimal[cuts.Count + 1];
        if (end == start)
        {
            if (cuts.Count > 0)
            {
                throw new ArgumentOutOfRangeException(nameof(cuts), "An empty interval has no cut inside it.");
            }
            shares[0] = amount;
            return shares;
        }
        decimal total = (end - start).ToInt64Nanoseconds();
        decimal before = 0m;
        var previous = start;
        for (int i = 0; i < cuts.Count; i++)
        {
            if (cuts[i] <= previous || cuts[i] >= end)
            {
                throw new ArgumentOutOfRangeException(nameof(cuts), "Cuts must be ascending and strictly inside the interval.");
            }
            decimal upTo = ShareUpTo(amount, Fraction(cuts[i] - start, total), decimals);
            shares[i] = upTo - before;
            before = upTo;
            previous = cuts[i];
        }
        shares[^1] = amount - before;
        return shares;
    }

    /// <summary>
    /// The fraction of an interval of <paramref name="totalNanoseconds"/> elapsed after <paramref name="elapsed"/>, as
    /// <see cref="ProRata"/> computes it (one decimal division); compute it once per cut and share several amounts with
    /// <see cref="ShareUpTo"/> to get exactly the shares <see cref="ProRata"/> gives each of them.
    /// </summary>
    /// <param name="elapsed">Time from the interval's start to the cut.</param>
    /// <param name="totalNanoseconds">Length of the interval in nanoseconds (positive), as a decimal.</param>
    /// <returns>elapsed / total.</returns>
    public static decimal Fraction(Duration elapsed, decimal totalNanoseconds) => elapsed.ToInt64Nanoseconds() / totalNanoseconds;

    /// <summary>
    /// The cumulative share of <paramref name="amount"/> up to a cut at <paramref name="fraction"/> of the interval, rounded
    /// to <paramref name="decimals"/> with midpoints to even; piece <c>i</c> of <see cref="ProRata"/> is
    /// <c>ShareUpTo(A, f_i) − ShareUpTo(A, f_(i−1))</c> and the last piece takes the remainder.
    /// </summary>
    /// <param name="amount">The quantity to share (any sign).</param>
    /// <param name="fraction">From <see cref="Fraction"/>.</param>
    /// <param name="decimals">Decimals of the share (0–20).</param>
    /// <returns>round(amount × fraction).</returns>
    public static decimal ShareUpTo(decimal amount, decimal fraction, int decimals) =>
        Math.Round(amount * fraction, decimals, MidpointRounding.ToEven);

    /// <summary>Decimals of a bucket's share of a cost (energy shares use <see cref="Ledger.Quantities.EnergyDecimals"/>).</summary>
    public const int CostShareDecimals = 12;

    /// <summary>
    /// Adds one ledger row's energy, cost and estimated energy to the buckets of a local day: the buckets are the grid of
    /// <paramref name="bucket"/> from <paramref name="dayStart"/> (as <see cref="StartsOf"/>), the last one ending at
    /// <paramref name="dayEnd"/>. The row's period is clamped to the day; a row inside one bucket is added whole, any other
    /// is shared pro rata by time with exactly the arithmetic of <see cref="ProRata"/> (one <see cref="Fraction"/> per cut,
    /// shared by the three amounts), so its shares sum exactly to the row.
    /// </summary>
    /// <remarks>
    /// The cumulative shares telescope: summing the shares of consecutive buckets gives exactly the share a coarser grid
    /// (whose cuts are a subset of these) gives the merged bucket. That is why quarter-hour aggregates summed into 30-, 60- or
    /// 1440-minute buckets equal the direct computation at those sizes.
    /// </remarks>
    /// <param name="dayStart">Start of the local day (first bucket's start).</param>
    /// <param name="dayEnd">End of the local day.</param>
    /// <param name="bucket">Bucket length; positive.</param>
    /// <param name="start">Start of the row's period.</param>
    /// <param name="end">End of the row's period.</param>
    /// <param name="energy">Signed energy of the row (Wh).</param>
    /// <param name="cost">Signed cost of the row.</param>
    /// <param name="low">True when the row is low-confidence: its energy also counts as estimated.</param>
    /// <param name="energyShares">Energy per bucket of the day (added to).</param>
    /// <param name="costShares">Cost per bucket of the day (added to).</param>
    /// <param name="estimatedShares">Estimated energy per bucket of the day (added to).</param>
    /// <returns>The first and last bucket the row was added to.</returns>
    public static (int First, int Last) AddShares(Instant dayStart, Instant dayEnd, Duration bucket, Instant start, Instant end, decimal energy, decimal cost, bool low,
        Span<decimal> energyShares, Span<decimal> costShares, Span<decimal> estimatedShares)
    {
        int last = energyShares.Length - 1;
        long bucketNanos = bucket.ToInt64Nanoseconds();
        var from = start < dayStart ? dayStart : start > dayEnd ? dayEnd : start;
        var to = end < dayStart ? dayStart : end > dayEnd ? dayEnd : end;
        long s = (from - dayStart).ToInt64Nanoseconds(), t = (to - dayStart).ToInt64Nanoseconds();
        int b0 = (int)Math.Min(s / bucketNanos, last);
        int b1 = t > s ? (int)Math.Min((t - 1) / bucketNanos, last) : b0;
        if (b0 == b1)
        {
            energyShares[b0] += energy;
            costShares[b0] += cost;
            estimatedShares[b0] += low ? energy : 0m;
            return (b0, b1);
        }
        low &= energy != 0m; // a zero amount is not shared (its shares would change the decimal scale)
        decimal total = t - s, doneE = 0m, doneC = 0m;
        for (int k = b0; k < b1; k++)
        {
            // Cut at the start of bucket k + 1.
            decimal f = Fraction(Duration.FromNanoseconds(bucketNanos * (k + 1) - s), total);
            decimal upE = ShareUpTo(energy, f, Ledger.Quantities.EnergyDecimals), upC = ShareUpTo(cost, f, CostShareDecimals);
            energyShares[k] += upE - doneE;
            costShares[k] += upC - doneC;
            if (low)
            {
                estimatedShares[k] += upE - doneE;
            }
            (doneE, doneC) = (upE, upC);
        }
        energyShares[b1] += energy - doneE;
        costShares[b1] += cost - doneC;
        if (low)
        {
            estimatedShares[b1] += energy - doneE;
        }
        return (b0, b1);
    }
}
