using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;
using CsCheck;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Time;

// DESIGN.md section 4, invariant 1: splitting an interval at any boundaries preserves energy and cost exactly.
public sealed partial class IntervalSplitterTests
{
    private static readonly string[] ZoneIds =
        ["Asia/Kolkata", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham"];

    private static readonly Instant Origin = Instant.FromUtc(2024, 1, 1, 0, 0);

    internal sealed record SplitCase(string ZoneId, EnergySegment Segment, Instant[] Boundaries, decimal RatePerKwh);

    internal static readonly Gen<SplitCase> SplitCases =
        from zoneId in Gen.Int[0, ZoneIds.Length - 1].Select(i => ZoneIds[i])
        from startMs in Gen.Long[0, 3L * 365 * 86_400_000]
        from durationMs in Gen.OneOf(Gen.Long[0, 4L * 86_400_000], Gen.Long[0, 90_000])
        from energyMicro in Gen.OneOf(Gen.Long[0, 10_000_000_000_000], Gen.Long[0, 50])
        from heldMicro in Gen.Long[0, 1_000_000_000]
        from onTimeFraction in Gen.Int[0, 1000]
        from boundaryOffsets in Gen.Long[-3_600_000, durationMs + 3_600_000].Array[0, 8]
        from rateMicro in Gen.Long[0, 999_999_999_999]
        let start = Origin + Duration.FromMilliseconds(startMs)
        let end = start + Duration.FromMilliseconds(durationMs)
        let onTime = Quantities.RoundSeconds(durationMs / 1000m * onTimeFraction / 1000m)
        select new SplitCase(
            zoneId,
            Segment(start, end, energyMicro / 1_000_000m, heldMicro / 1_000_000m, onTime),
            [.. boundaryOffsets.Select(o => start + Duration.FromMilliseconds(o))],
            rateMicro / 1_000_000m);

    [Fact]
    public void Split_AnyBoundaries_PreservesEnergyOnTimeAndCostExactly()
    {
        SplitCases.Sample(c =>
        {
            var calendar = SiteCalendar.ForZoneId(c.ZoneId);
            var segment = c.Segment;

            var pieces = IntervalSplitter.Split(segment, calendar, c.Boundaries);

            Assert.Equal(segment.EnergyWh, pieces.Sum(p => p.EnergyWh));
            Assert.Equal(segment.HeldEnergyWh, pieces.Sum(p => p.HeldEnergyWh));
            Assert.Equal(segment.OnTimeSeconds, pieces.Sum(p => p.OnTimeSeconds));
            Assert.Equal(Quantities.Cost(segment.EnergyWh, c.RatePerKwh), pieces.Sum(p => Quantities.Cost(p.EnergyWh, c.RatePerKwh)));

            Assert.Equal(segment.Start, pieces[0].Start);
            Assert.Equal(segment.End, pieces[^1].End);
            decimal total = (segment.End - segment.Start).ToInt64Nanoseconds();
            var elapsed = Duration.Zero;
            for (int i = 0; i < pieces.Count; i++)
            {
                var p = pieces[i];
                if (i > 0)
                {
                    Assert.Equal(pieces[i - 1].End, p.Start);
                    Assert.True(p.Start < p.End);
                }
                // never spans a local midnight nor a boundary
                Assert.True(p.End <= calendar.EndOf(calendar.DateOf(p.Start)));
                Assert.DoesNotContain(c.Boundaries, b => b > p.Start && b < p.End);
                // within one micro-Wh of the exact pro-rata share
                elapsed += p.End - p.Start;
                // a zero-length segment (an accepted delta over no time) is one piece carrying everything
                decimal exactUpTo = total == 0m ? segment.EnergyWh : segment.EnergyWh * (elapsed.ToInt64Nanoseconds() / total);
                Assert.True(Math.Abs(pieces.Take(i + 1).Sum(x => x.EnergyWh) - exactUpTo) <= 0.0000005m);
                Assert.Equal((p.Method, p.Confidence, p.Marks, p.Kind, p.FromEventId, p.ToEventId),
                    (segment.Method, segment.Confidence, segment.Marks, segment.Kind, segment.FromEventId, segment.ToEventId));
            }
        }, iter: 1000);
    }

    [Fact]
    public void Plan_RandomCostVersions_PricesEachPieceWithItsVersionAndKeepsEnergy()
    {
        var gen =
            from c in SplitCases
            from offsets in Gen.Long[-86_400_000, 5L * 86_400_000].Array[0, 5]
            from rates in Gen.Long[0, 99_999_999].Array[5]
            select (c, offsets, rates);

        gen.Sample((c, offsets, rates) =>
        {
            var calendar = SiteCalendar.ForZoneId(c.ZoneId);
            var versions = offsets.Select((o, i) => new CostVersion(
                i + 1,
                rates[i] / 1_000_000m,
                "INR",
                (c.Segment.Start + Duration.FromMilliseconds(o)).InZone(calendar.Zone).LocalDateTime,
                i % 2 == 0 ? CostScope.Global : CostScope.Device,
                null,
                i % 2 == 0 ? null : c.Segment.DeviceKey,
                Origin)).ToList();
            var resolver = new CostVersionResolver(versions, calendar.Zone);

            var lines = LedgerPlanner.Plan([c.Segment], calendar, resolver, "CR-101");

            Assert.Equal(c.Segment.EnergyWh, lines.Sum(l => l.EnergyWh));
            foreach (var line in lines)
            {
                var atStart = resolver.Resolve(line.PeriodStart, "CR-101", line.DeviceKey);
                var beforeEnd = resolver.Resolve(line.PeriodEnd > line.PeriodStart ? line.PeriodEnd - Duration.Epsilon : line.PeriodEnd, "CR-101", line.DeviceKey);
                Assert.Same(atStart, beforeEnd);
                Assert.Equal(atStart?.Id, line.CostVersionId);
                Assert.Equal(atStart is null ? 0m : line.EnergyWh * atStart.CostPerKwh / 1000m, line.Cost);
                Assert.Equal(calendar.DateOf(line.PeriodStart), line.LocalDate);
                Assert.True(line.PeriodEnd <= calendar.EndOf(line.LocalDate));
            }
        }, iter: 1000);
    }
}
