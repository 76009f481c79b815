using AutoVolt.Domain.Ledger;
using CsCheck;

namespace AutoVolt.Web.Tests.Domain.Ledger;

// DESIGN.md section 4, invariant 3: replaying the same messages in any order, with any duplicates, yields the same totals.
public sealed partial class DeviceAccountingTests
{
    private static readonly Gen<(AccountingReading[] History, AccountingReading[] Replay, bool LowerIdCopies)> Replays =
        from history in AccountingGen.Histories
        from repeats in Gen.Int[0, history.Length - 1].Array[0, 8]
        from copies in Gen.Int[0, history.Length - 1].Array[0, 4]
        from lowerIdCopies in Gen.Bool
        let copied = copies.Select(i => new AccountingReading(
            lowerIdCopies ? -1 - i : 1000 + i, history[i].DeviceKey, history[i].Timestamp, history[i].SequenceNo, history[i].EnergyWhTotal,
            history[i].PowerW, history[i].SwitchOn, history[i].UptimeSeconds, history[i].BootId, history[i].Marks))
        from replay in Gen.Shuffle(history.Concat(repeats.Select(i => history[i])).Concat(copied).ToArray())
        select (history, replay, lowerIdCopies);

    [Fact]
    public void Derive_AnyOrderAnyDuplicates_YieldsSameTotals()
    {
        Replays.Sample((history, replay, lowerIdCopies) =>
        {
            var expected = AccountingGen.Plan(history);
            var actual = AccountingGen.Plan(replay);

            Totals.AssertSame(expected, actual);
            if (!lowerIdCopies)
            {
                // the readings kept are the very same, so even the lines (event ids included) are equal
                Assert.Equal(expected, actual);
            }
        }, iter: 500);
    }

    [Fact]
    public void Derive_AnyHistory_NeverNegativeAndTilesTheWindow()
    {
        AccountingGen.Histories.Sample(history =>
        {
            var segments = DeviceAccounting.Derive(history, DeltaPolicy.Default);

            Assert.All(segments, s => Assert.True(s.EnergyWh >= 0m && s.HeldEnergyWh >= 0m && s.OnTimeSeconds >= 0m));
            if (segments.Count > 0)
            {
                Assert.Equal(history[0].Timestamp, segments[0].Start);
                Assert.Equal(history[^1].Timestamp, segments[^1].End);
            }
            for (int i = 1; i < segments.Count; i++)
            {
                Assert.Equal(segments[i - 1].End, segments[i].Start);
            }
        }, iter: 500);
    }
}
