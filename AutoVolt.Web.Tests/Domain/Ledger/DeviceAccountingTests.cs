using AutoVolt.Domain.Ledger;
using static AutoVolt.Web.Tests.Domain.Ledger.Readings;

namespace AutoVolt.Web.Tests.Domain.Ledger;

public sealed partial class DeviceAccountingTests
{
    [Fact]
    public void Derive_ShuffledWithDuplicates_EqualsOrderedDerivation()
    {
        var ordered = new[]
        {
            Energy(10, 0, 100m), Energy(11, 60, 101m), Energy(12, 120, 103m), Energy(13, 180, 106m),
        };
        var messy = new[]
        {
            ordered[2], Energy(99, 60, 101m), ordered[0], ordered[3], ordered[1], ordered[2],
        };

        var expected = DeviceAccounting.Derive(ordered, DeltaPolicy.Default);
        var actual = DeviceAccounting.Derive(messy, DeltaPolicy.Default);

        Assert.Equal(expected, actual);
        Assert.Equal(6m, actual.Sum(s => s.EnergyWh));
        Assert.Equal(3, actual.Count);
    }

    [Fact]
    public void Order_EqualTimestamps_OrdersBySequenceThenMeasurementNeverByArrival()
    {
        var a = Energy(5, 0, 1m, seq: 2);
        var b = Energy(4, 0, 2m, seq: 1);
        var c = Energy(3, 0, 3m, seq: null);
        var d = Energy(2, 0, 4m, seq: 2);
        var dAgain = Energy(1, 0, 4m, seq: 2);

        var order = DeviceAccounting.Order([a, b, c, d, dAgain]).Select(r => r.EventId);

        // null sequence first, then 1, then the two sequence-2 readings by counter (1 Wh before 4 Wh) although the 4 Wh
        // one arrived first (lower id); its duplicate keeps the lowest id.
        Assert.Equal([3L, 4L, 5L, 1L], order);
    }

    [Fact]
    public void Derive_RebootWithinTheSameSecondAndSequence_SameTotalsWhicheverArrivedFirst()
    {
        // Found by the invariant-3 property (seed 18XtDWojSUld): boot b5 (uptime 112 s) and boot b6 (uptime 0 s, just
        // booted) both report sequence 1 at the same second. The older boot's reading comes first, whatever the ids.
        var before = Energy(1, 0, 100m, boot: "b5", uptime: 50, seq: 1);
        var oldBoot = Energy(2, 62, 110m, boot: "b5", uptime: 112, seq: 1);
        var newBoot = Energy(3, 62, 111m, boot: "b6", uptime: 0, seq: 1);
        var after = Energy(4, 122, 115m, boot: "b6", uptime: 60, seq: 2);
        var reordered = new[] { after, Energy(-3, 62, 111m, boot: "b6", uptime: 0, seq: 1), oldBoot, before };

        var expected = DeviceAccounting.Derive([before, oldBoot, newBoot, after], DeltaPolicy.Default);
        var actual = DeviceAccounting.Derive(reordered, DeltaPolicy.Default);

        Assert.Equal(["b5", "b6"], DeviceAccounting.Order(reordered).Skip(1).Take(2).Select(r => r.BootId));
        Assert.Equal(expected.Sum(x => x.EnergyWh), actual.Sum(x => x.EnergyWh));
        // 10 + 4 Wh counted; the 1 Wh across the reboot took zero time (implausible power) and is held for review.
        Assert.Equal(14m, actual.Sum(x => x.EnergyWh));
        Assert.Equal(1m, actual.Sum(x => x.HeldEnergyWh));
        Assert.Equal(expected.Select(x => (x.Start, x.End, x.EnergyWh, x.HeldEnergyWh, x.Marks)), actual.Select(x => (x.Start, x.End, x.EnergyWh, x.HeldEnergyWh, x.Marks)));
    }

    [Fact]
    public void Derive_ResetInsideWindow_ProducesMarkerAndPostings()
    {
        var readings = new[]
        {
            Energy(1, 0, 500m, boot: "b1"), Energy(2, 60, 501m, boot: "b1"),
            Energy(3, 240, 2m, boot: "b2", uptime: 60), Energy(4, 300, 3m, boot: "b2", uptime: 120),
        };

        var segments = DeviceAccounting.Derive(readings, DeltaPolicy.Default);

        Assert.Equal([EntryKind.Posting, EntryKind.ResetMarker, EntryKind.Posting, EntryKind.Posting], segments.Select(s => s.Kind));
        Assert.Equal(1m + 2m + 1m, segments.Sum(s => s.EnergyWh));
        Assert.Equal((At(60), At(180)), (segments[1].Start, segments[1].End));
        // the segments tile the window
        for (int i = 1; i < segments.Count; i++)
        {
            Assert.Equal(segments[i - 1].End, segments[i].Start);
        }
    }

    [Fact]
    public void Derive_TwoDevices_Throws()
    {
        var other = new AccountingReading(2, "ESP02/fan_1", At(60), null, 2m, null, true, null, null);

        Assert.Throws<ArgumentException>(() => DeviceAccounting.Derive([Energy(1, 0, 1m), other], DeltaPolicy.Default));
    }

    [Fact]
    public void Derive_FewerThanTwoReadings_YieldsNothing()
    {
        Assert.Empty(DeviceAccounting.Derive([], DeltaPolicy.Default));
        Assert.Empty(DeviceAccounting.Derive([Energy(1, 0, 1m)], DeltaPolicy.Default));
    }
}
