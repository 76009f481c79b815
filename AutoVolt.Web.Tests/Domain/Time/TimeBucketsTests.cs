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
    public void ProRata_EmptyInterval_AllToTheOnlyPiece()
    {
        var s = Instant.FromUtc(2025, 1, 1, 0, 0);
        Assert.Equal([1.5m], TimeBuckets.ProRata(s, s, [], 1.5m, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeBuckets.ProRata(s, s + Duration.FromMinutes(1), [s], 1m, 6));
    }
}
