using AutoVolt.Domain.Aggregation;
using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using CsCheck;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Ledger;

// DESIGN.md section 4, invariant 4: re-deriving any window is idempotent; a changed window plans net = new − old.
public sealed class WindowRederivationTests
{
    private static List<LiveLedgerRow> Live(IEnumerable<LedgerLine> lines, long firstId = 1) =>
        lines.Select((l, i) => new LiveLedgerRow(firstId + i, l)).ToList();

    private static IReadOnlyList<LedgerLine> Example(decimal lastEnergy) => AccountingGen.Plan(
    [
        Readings.Energy(1, 0, 100m), Readings.Energy(2, 60, 101m), Readings.Energy(3, 120, lastEnergy),
    ]);

    [Fact]
    public void Plan_UnchangedWindowInOtherOrder_PlansNothing()
    {
        var old = Example(103m);
        var fresh = old.Reverse().ToList();

        var plan = WindowRederivation.Plan(Live(old, 40), fresh);

        Assert.True(plan.IsEmpty);
        Assert.Same(RederivationPlan.Nothing, plan);
    }

    [Fact]
    public void Plan_OneLineChanged_ReversesItAndPostsTheNewOne()
    {
        var old = Example(103m);
        var fresh = Example(104m);
        var live = Live(old, 40);

        var plan = WindowRederivation.Plan(live, fresh);

        var reversed = Assert.Single(plan.Reversals);
        Assert.Equal(41, reversed.Id);
        var posted = Assert.Single(plan.Postings);
        Assert.Equal(3m, posted.EnergyWh);
        Assert.Equal(2m, reversed.Line.EnergyWh);
    }

    [Fact]
    public void Plan_EqualLinesTwice_PairsThemOneToOne()
    {
        var line = Example(103m)[0];

        var plan = WindowRederivation.Plan(Live([line, line]), [line]);

        Assert.Equal(2, Assert.Single(plan.Reversals).Id);
        Assert.Empty(plan.Postings);
    }

    [Fact]
    public void Plan_ReversalGiven_Throws()
    {
        var line = Example(103m)[0];

        Assert.Throws<ArgumentException>(() => WindowRederivation.Plan(Live([line.ToReversal()]), [line]));
        Assert.Throws<ArgumentException>(() => WindowRederivation.Plan([], [line.ToReversal()]));
    }

    private enum Change
    {
        LateReading,
        NewRate,
        AcceptHeld,
        None,
    }

    private static readonly Gen<(AccountingReading[] History, AccountingReading[] Shuffled, Change Change, int Index)> Windows =
        from history in AccountingGen.Histories
        from shuffled in Gen.Shuffle(history.ToArray())
        from change in Gen.Enum<Change>()
        from index in Gen.Int[0, history.Length - 1]
        select (history, shuffled, change, index);

    [Fact]
    public void Plan_AnyWindow_UnchangedPlansNothingAndChangedNetsNewMinusOld()
    {
        Windows.Sample((history, shuffled, change, index) =>
        {
            var policy = DeltaPolicy.Default;
            var resolver = AccountingGen.Resolver;
            var oldReadings = history;
            var newReadings = shuffled;
            var newPolicy = policy;
            var newResolver = resolver;
            switch (change)
            {
                case Change.LateReading:
                    oldReadings = [.. history.Where((_, i) => i != index)];
                    break;
                case Change.NewRate:
                    var at = history[index].Timestamp.InZone(AccountingGen.Calendar.Zone).LocalDateTime;
                    newResolver = new CostVersionResolver(
                        [.. AccountingGen.Versions, new CostVersion(99, 13.5m, "INR", at, CostScope.Global, null, null, Instant.FromUtc(2025, 12, 1, 0, 0))],
                        AccountingGen.Calendar.Zone);
                    break;
                case Change.AcceptHeld:
                    newPolicy = policy with { AcceptedHeldDeltas = new HashSet<DeltaKey>(history.Skip(1).Select((r, i) => new DeltaKey(history[i].EventId, r.EventId))) };
                    break;
                default:
                    break;
            }
            var old = AccountingGen.Plan(oldReadings, policy, resolver);
            var fresh = AccountingGen.Plan(newReadings, newPolicy, newResolver);
            var live = Live(old, 1000);

            // idempotent: re-deriving the old window with the same inputs plans nothing
            Assert.True(WindowRederivation.Plan(live, AccountingGen.Plan(oldReadings.Reverse().ToArray(), policy, resolver)).IsEmpty);

            var plan = WindowRederivation.Plan(live, fresh);

            // net of the plan = new − old
            var afterPlan = old.Concat(plan.Reversals.Select(r => r.Line.ToReversal())).Concat(plan.Postings);
            Totals.AssertSame(fresh, afterPlan);
            Assert.All(plan.Reversals, r => Assert.Contains(r, live));
            if (change == Change.None)
            {
                Assert.True(plan.IsEmpty);
            }

            // after applying it, the window is settled
            var reversedIds = plan.Reversals.Select(r => r.Id).ToHashSet();
            var liveAfter = live.Where(r => !reversedIds.Contains(r.Id)).Concat(Live(plan.Postings, 5000)).ToList();
            Assert.True(WindowRederivation.Plan(liveAfter, fresh).IsEmpty);
            Assert.Equal(AggregationMath.Sum(fresh).EnergyWh, AggregationMath.Sum(liveAfter.Select(r => r.Line)).EnergyWh);
        }, iter: 500);
    }
}
