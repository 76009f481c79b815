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
    public void Order_EqualTimestamps_OrdersBySequenceThenEventId()
    {
        var a = Energy(5, 0, 1m, seq: 2);
        var b = Energy(4, 0, 2m, seq: 1);
        var c = Energy(3, 0, 3m, seq: null);
        var d = Energy(2, 0, 4m, seq: 2);

        var order = DeviceAccounting.Order([a, b, c, d]).Select(r => r.EventId);

        Assert.Equal([3L, 4L, 2L, 5L], order);
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
