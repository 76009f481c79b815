using AutoVolt.Domain.Time;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Time;

public sealed class TimeBucketsTests
{
    private static readonly SiteCalendar NewYork = SiteCalendar.ForZoneId("America/New_York");

    [Theory]
    [InlineData(2025, 11, 2, 60, 25)]
    [InlineData(2025, 3, 9, 60, 23)]
    [InlineData(2025, 3, 9, 15, 92)]
    [InlineData(2025, 11, 2, 90, 17)] // 1500 min: the last bucket is cut to 60 min
    [InlineData(2025, 6, 1, 5, 288)]
    public void StartsOf_LocalDay_ElapsedBucketsFromLocalMidnight(int y, int m, int d, int minutes, int expected)
    {
        var date = new LocalDate(y, m, d);
        var starts = TimeBuckets.StartsOf(NewYork, date, Duration.FromMinutes(minutes));

        Assert.Equal(expected, starts.Count);
        Assert.Equal(NewYork.StartOf(date), starts[0]);
        Assert.True(starts[^1] < NewYork.EndOf(date));
    }

    [Fact]
    public void ProRata_ThirdsOfTen_CumulativeRoundingSumsExactly()
    {
        var s = Instant.FromUtc(2025, 1, 1, 0, 0);
        var shares = TimeBuckets.ProRata(s, s + Duration.FromMinutes(90), [s + Duration.FromMinutes(20), s + Duration.FromMinutes(80)], 10m, 6);

        Assert.Equal([2.222222m, 6.666667m, 1.111111m], shares);
    }

    [Fact]
    public void ProRata_RandomIntervals_SharesSumToAmountAndStayWithinOneUnit()
    {
        var rng = new Random(42);
        var s = Instant.FromUtc(2025, 1, 1, 0, 0);
        for (int i = 0; i < 2000; i++)
        {
            long total = rng.NextInt64(1, 86_400_000_000_000);
            var cuts = Enumerable.Range(0, rng.Next(0, 6)).Select(_ => rng.NextInt64(1, total)).Distinct().Order()
                .Select(n => s + Duration.FromNanoseconds(n)).ToList();
            decimal amount = rng.NextInt64(-10_000_000_000, 10_000_000_000) / 1_000_000m;
            var shares = TimeBuckets.ProRata(s, s + Duration.FromNanoseconds(total), cuts, amount, 6);

            Assert.Equal(amount, shares.Sum());
            var bounds = cuts.Prepend(s).Append(s + Duration.FromNanoseconds(total)).ToList();
            for (int k = 0; k < shares.Length; k++)
            {
                decimal exact = amount * (bounds[k + 1] - bounds[k]).ToInt64Nanoseconds() / total;
                Assert.True(Math.Abs(shares[k] - exact) <= 0.000001m, $"share {k} {shares[k]} vs {exact}");
            }
        }
    }

    [Fact]
    public void FractionAndShareUpTo_OneFractionPerCutForSeveralAmounts_SameSharesAsProRataOfEach()
    {
        var rng = new Random(7);
        var s = Instant.FromUtc(2025, 1, 1, 0, 0);
        for (int i = 0; i < 500; i++)
        {
            long total = rng.NextInt64(2, 86_400_000_000) * 1000;
            var cuts = Enumerable.Range(0, rng.Next(1, 6)).Select(_ => rng.NextInt64(1, total / 1000) * 1000).Distinct().Order()
                .Select(n => s + Duration.FromNanoseconds(n)).ToList();
            decimal energy = rng.NextInt64(-10_000_000_000, 10_000_000_000) / 1_000_000m;
            decimal cost = energy * (rng.Next(1, 30_000_000) / 1_000_000m) / 1000m;
            var end = s + Duration.FromNanoseconds(total);
            var (energyShares, costShares) = (new decimal[cuts.Count + 1], new decimal[cuts.Count + 1]);
            decimal doneE = 0m, doneC = 0m;
            for (int k = 0; k < cuts.Count; k++)
            {
                decimal f = TimeBuckets.Fraction(cuts[k] - s, total);
                decimal upE = TimeBuckets.ShareUpTo(energy, f, 6), upC = TimeBuckets.ShareUpTo(cost, f, 12);
                (energyShares[k], costShares[k], doneE, doneC) = (upE - doneE, upC - doneC, upE, upC);
            }
            (energyShares[^1], costShares[^1]) = (energy - doneE, cost - doneC);

            Assert.Equal(TimeBuckets.ProRata(s, end, cuts, energy, 6), energyShares);
            Assert.Equal(TimeBuckets.ProRata(s, end, cuts, cost, 12), costShares);
        }
    }

    [Fact]
    public void ShareUpTo_Midpoint_RoundsToEven()
    {
        Assert.Equal(500.000006m, TimeBuckets.ShareUpTo(1000.000013m, 0.5m, 6));
        Assert.Equal(-500.000006m, TimeBuckets.ShareUpTo(-1000.000013m, 0.5m, 6));
        Assert.Equal(0.137500001788m, TimeBuckets.ShareUpTo(0.2000000026m, 0.6875m, 12));
    }

    [Fact]
    public void ProRata_EmptyInterval_AllToTheOnlyPiece()
    {
        var s = Instant.FromUtc(2025, 1, 1, 0, 0);
        Assert.Equal([1.5m], TimeBuckets.ProRata(s, s, [], 1.5m, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeBuckets.ProRata(s, s + Duration.FromMinutes(1), [s], 1m, 6));
    }
}
