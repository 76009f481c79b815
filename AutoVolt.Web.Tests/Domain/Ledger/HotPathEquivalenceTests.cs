using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;
using CsCheck;
using NodaTime;
using NodaTime.Testing.TimeZones;

namespace AutoVolt.Web.Tests.Domain.Ledger;

// The fast paths of the accounting core (cost without division, cost timeline, day cursor, fused derive + plan) must give
// exactly what the plain formulas give: same values and same decimal bits (scale included).
public sealed class HotPathEquivalenceTests
{
    private static bool SameBits(decimal a, decimal b) => decimal.GetBits(a).SequenceEqual(decimal.GetBits(b));

    [Theory]
    [InlineData("0.118790", "1", "0.00011879")]              // 1000 does not divide the mantissa: smallest exact scale
    [InlineData("0.925500000000", "1", "0.000925500000")]    // 1000 divides it: scale kept, trailing zeros kept
    [InlineData("12.5", "8", "0.1")]                          // 100.0: 1000 divides the mantissa 1000
    [InlineData("0.000001", "0.000001", "0.000000000000001")]
    public void Cost_Examples_HaveTheDivisionsScale(string energy, string rate, string expected)
    {
        var cost = Quantities.Cost(decimal.Parse(energy, System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expected, cost.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DivideBy1000_AnyDecimal_SameBitsAsDivision()
    {
        var decimals =
            from lo in Gen.UInt
            from mid in Gen.OneOf(Gen.UInt, Gen.UInt[0, 1000])
            from hi in Gen.OneOf(Gen.Const(0u), Gen.UInt)
            from negative in Gen.Bool
            from scale in Gen.Byte[0, 28]
            from zeros in Gen.Int[0, 4]
            let raw = new decimal(unchecked((int)lo), unchecked((int)mid), unchecked((int)hi), negative, scale)
            select zeros == 0 ? raw : decimal.Truncate(raw / (decimal)Math.Pow(10, zeros)) * (decimal)Math.Pow(10, zeros);
        decimals.Sample(d => SameBits(d / 1000m, Quantities.DivideBy1000(d)), iter: 100_000);
    }

    [Fact]
    public void Cost_EnergyTimesRate_SameBitsAsDivision()
    {
        var pairs =
            from energyMicro in Gen.OneOf(Gen.Long[0, 10_000_000], Gen.Long[0, 1_000_000_000_000_000])
            from energyScale in Gen.Int[0, 6]
            from rateMicro in Gen.Long[0, 999_999_999_999]
            from rateScale in Gen.Int[0, 6]
            select (decimal.Round(energyMicro / 1_000_000m, energyScale), decimal.Round(rateMicro / 1_000_000m, rateScale));
        pairs.Sample((e, r) => SameBits(e * r / 1000m, Quantities.Cost(e, r)), iter: 100_000);
    }

    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly Instant Base = Instant.FromUtc(2025, 11, 1, 0, 0);

    private static readonly Gen<CostVersion[]> Versions =
        (from id in Gen.Long[1, 1000]
         from scope in Gen.Enum<CostScope>()
         from target in Gen.Int[1, 2]
         from minutes in Gen.OneOf(Gen.Int[0, 6] .Select(i => i * 600), Gen.Int[-600, 4000])
         from created in Gen.Int[0, 3]
         from rate in Gen.Int[0, 2000]
         select new CostVersion(id, rate / 100m, "INR", new LocalDateTime(2025, 11, 1, 0, 0).PlusMinutes(minutes), scope,
             scope == CostScope.Classroom ? "CR-" + target : null,
             scope == CostScope.Device ? "D/" + target : null,
             Base + Duration.FromSeconds(created))).Array[0, 12];

    // The definition (the resolver before the timeline): scan all versions in (effective, created, id) order.
    private static CostVersion? LinearResolve(IEnumerable<CostVersion> versions, Instant instant, string? classroom, string? deviceKey)
    {
        CostVersion? best = null;
        foreach (var version in versions.OrderBy(v => v.EffectiveAt(NewYork)).ThenBy(v => v.CreatedAt).ThenBy(v => v.Id))
        {
            if (version.EffectiveAt(NewYork) <= instant && version.AppliesTo(classroom, deviceKey) && (best is null || version.Scope >= best.Scope))
            {
                best = version;
            }
        }
        return best;
    }

    [Fact]
    public void CostVersionResolver_AnyVersions_ResolveAndBoundariesMatchTheLinearDefinition()
    {
        var cases =
            from versions in Versions
            from minutes in Gen.Int[-700, 4100].Array[1, 12]
            from length in Gen.Int[0, 3000]
            from c in Gen.Int[0, 2]
            from d in Gen.Int[1, 2]
            let classroom = c == 0 ? null : "CR-" + c
            let device = "D/" + d
            select (versions, minutes, length, classroom, device);
        cases.Sample((versions, minutes, length, classroom, device) =>
        {
            var resolver = new CostVersionResolver(versions, NewYork);
            var timeline = resolver.TimelineFor(classroom, device);
            int hint = -1;
            foreach (var m in minutes)
            {
                var at = Base + Duration.FromMinutes(m);
                var expected = LinearResolve(versions, at, classroom, device);
                Assert.Same(expected, resolver.Resolve(at, classroom, device));
                hint = timeline.IndexAt(at, hint);
                Assert.Equal(timeline.IndexAt(at), hint);
                Assert.Same(expected, timeline.VersionAt(hint));

                // boundaries = the instants inside (at, end) where the linear definition changes its answer
                var end = at + Duration.FromMinutes(length);
                var candidates = versions.Select(v => v.EffectiveAt(NewYork)).Where(t => t > at && t < end).Distinct().Order();
                var changes = new List<Instant>();
                var current = expected;
                foreach (var t in candidates)
                {
                    var next = LinearResolve(versions, t, classroom, device);
                    if (!ReferenceEquals(next, current))
                    {
                        changes.Add(t);
                        current = next;
                    }
                }
                Assert.Equal(changes, resolver.Boundaries(new Interval(at, end), classroom, device));
            }
        }, iter: 2000);
    }

    public static TheoryData<string> Zones => ["Asia/Kolkata", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"];

    [Theory]
    [MemberData(nameof(Zones))]
    public void DayCursor_InstantsForwardAndBack_MatchDateOfAndEndOf(string zoneId)
    {
        AssertCursorMatches(SiteCalendar.ForZoneId(zoneId));
    }

    [Fact]
    public void DayCursor_ZoneFallingBackAcrossMidnight_MatchesDateOf()
    {
        // 00:30 local on 2025-06-02 goes back to 23:30 of 2025-06-01: local dates are not monotonic in time here
        var zone = new SingleTransitionDateTimeZone(Instant.FromUtc(2025, 6, 1, 22, 30), Offset.FromHours(2), Offset.FromHours(1));

        AssertCursorMatches(new SiteCalendar(zone));
    }

    private static void AssertCursorMatches(SiteCalendar calendar)
    {
        // instants 15 s apart within 24 h of a start 3–12 h before a transition (NY, Lord Howe, the fake zone), walked
        // forward or backward, so a cached day is entered from both sides of an offset change
        var walks = Gen.Int[0, 4 * 24 * 60].Select(m => m * 15L).Array[1, 200]
            .Select(seconds => seconds.Order().ToArray())
            .SelectMany(sorted => Gen.Bool.Select(forward => forward ? sorted : Enumerable.Reverse(sorted).ToArray()));
        var starts = new[]
        {
            Instant.FromUtc(2025, 3, 8, 20, 0), Instant.FromUtc(2025, 4, 5, 3, 0), Instant.FromUtc(2025, 6, 1, 12, 0),
            Instant.FromUtc(2025, 10, 4, 3, 0), Instant.FromUtc(2025, 11, 1, 18, 0),
        };
        foreach (var from in starts)
        {
            walks.Sample(seconds =>
            {
                var cursor = new SiteCalendar.DayCursor(calendar);
                foreach (var s in seconds)
                {
                    var at = from + Duration.FromSeconds(s);
                    var date = cursor.DateOf(at, out var endOfDay);
                    Assert.Equal(calendar.DateOf(at), date);
                    Assert.Equal(calendar.EndOf(calendar.DateOf(at)), endOfDay);
                }
            }, iter: 200);
        }
    }

    [Fact]
    public void DeriveAndPlan_AnyHistoryAnyOrder_SameLinesBitForBitAsPlanOfDerive()
    {
        var cases =
            from history in AccountingGen.Histories
            from replay in Gen.Shuffle(history)
            from shuffled in Gen.Bool
            from maxPower in Gen.OneOf(Gen.Const(5000m), Gen.Const(100m))
            select (shuffled ? replay : history, maxPower);
        cases.Sample((readings, maxPower) =>
        {
            var policy = DeltaPolicy.Default with { MaxPowerW = maxPower };
            var expected = LedgerPlanner.Plan(DeviceAccounting.Derive(readings, policy), AccountingGen.Calendar, AccountingGen.Resolver, "CR-101", "EUR");
            var actual = DeviceAccounting.DeriveAndPlan(readings, policy, null, AccountingGen.Calendar, AccountingGen.Resolver, "CR-101", "EUR");

            Assert.Equal(expected, actual);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.True(SameBits(expected[i].EnergyWh, actual[i].EnergyWh) && SameBits(expected[i].HeldEnergyWh, actual[i].HeldEnergyWh)
                    && SameBits(expected[i].OnTimeSeconds, actual[i].OnTimeSeconds) && SameBits(expected[i].Cost, actual[i].Cost));
            }
        }, iter: 1000);
    }

    [Fact]
    public void Derive_ReadingsAlreadyInOrder_SameSegmentsAsShuffled()
    {
        var cases = from history in AccountingGen.Histories from shuffled in Gen.Shuffle(history) select (history, shuffled);
        cases.Sample((history, shuffled) =>
            Assert.Equal(DeviceAccounting.Derive(shuffled, DeltaPolicy.Default), DeviceAccounting.Derive(history, DeltaPolicy.Default)), iter: 500);
    }

    [Fact]
    public void Plan_UnpricedLineWithBlankCurrency_StillThrows()
    {
        // lines are no longer re-checked by the constructor; the one input not checked before must still be refused
        var segment = new EnergySegment("D/1", Base, Base + Duration.FromMinutes(1), 1m, 0m, 60m, DeltaMethod.Cumulative,
            Confidence.High, EntryMarks.None, EntryKind.Posting, 1, 2);
        var noVersions = new CostVersionResolver([], NewYork);

        Assert.Throws<ArgumentException>(() => LedgerPlanner.Plan([segment], new SiteCalendar(NewYork), noVersions, "CR-1", " "));
    }
}
