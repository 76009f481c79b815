using AutoVolt.Domain.Ledger;
using NodaTime;
using static AutoVolt.Web.Tests.Domain.Ledger.Readings;

namespace AutoVolt.Web.Tests.Domain.Ledger;

public sealed class ValueTypesTests
{
    private static EnergySegment Segment(decimal energy, EntryKind kind = EntryKind.Posting, decimal onTime = 0m, Instant? end = null) =>
        new(Device, At(0), end ?? At(60), energy, 0m, onTime, DeltaMethod.Cumulative, Confidence.High, EntryMarks.None, kind, 1, 2);

    private static LedgerLine Line(decimal energy, EntryKind kind) =>
        new(Device, "CR-101", At(0), At(60), new LocalDate(2025, 11, 5), energy, 0m, 0m, 0m, "INR", null, null,
            DeltaMethod.Cumulative, Confidence.High, EntryMarks.None, kind, 1, 2);

    [Fact]
    public void EnergySegment_InvalidValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Segment(-0.000001m));
        Assert.Throws<ArgumentOutOfRangeException>(() => Segment(0.0000001m));
        Assert.Throws<ArgumentOutOfRangeException>(() => Segment(1m, onTime: 0.0001m));
        Assert.Throws<ArgumentOutOfRangeException>(() => Segment(1m, EntryKind.ResetMarker));
        Assert.Throws<ArgumentOutOfRangeException>(() => Segment(0m, EntryKind.Reversal));
        Assert.Throws<ArgumentOutOfRangeException>(() => Segment(1m, end: At(-1)));
        Assert.Equal(0m, Segment(0m, EntryKind.ResetMarker).EnergyWh);
    }

    [Fact]
    public void LedgerLine_SignMustMatchKind()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Line(-1m, EntryKind.Posting));
        Assert.Throws<ArgumentOutOfRangeException>(() => Line(1m, EntryKind.Reversal));
        Assert.Equal(-1m, Line(-1m, EntryKind.Reversal).EnergyWh);
    }

    [Fact]
    public void LedgerLine_EqualityIgnoresDecimalScale()
    {
        Assert.Equal(Line(1.5m, EntryKind.Posting), Line(1.500000m, EntryKind.Posting));
        Assert.Equal(Line(1.5m, EntryKind.Posting).GetHashCode(), Line(1.500000m, EntryKind.Posting).GetHashCode());
        Assert.NotEqual(Line(1.5m, EntryKind.Posting), Line(1.500001m, EntryKind.Posting));
    }

    [Fact]
    public void AccountingReading_InvalidValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AccountingReading(1, Device, At(0), null, -1m, null, null, null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AccountingReading(1, Device, At(0), null, null, -1m, null, null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AccountingReading(1, Device, At(0), null, null, null, null, -1, null));
        Assert.Throws<ArgumentException>(() => new AccountingReading(1, " ", At(0), null, null, null, null, null, null));
    }

    [Fact]
    public void AccountingReading_SameMeasurement_IgnoresEventIdAndMarks()
    {
        var a = Energy(1, 0, 10.5m);
        var b = Energy(2, 0, 10.50m, marks: EntryMarks.LateDelivery);

        Assert.True(a.HasSameMeasurement(b));
        Assert.False(a.HasSameMeasurement(Energy(3, 0, 10.5m, seq: 4)));
    }

    [Theory]
    [InlineData(0, false)]      // at the start: not inside
    [InlineData(1, true)]
    [InlineData(59, true)]
    [InlineData(60, false)]     // at the end: not inside
    [InlineData(120, false)]
    public void BoardStatusTimeline_OfflineInstant_CountsOnlyStrictlyInside(int offlineAt, bool expected)
    {
        var timeline = new BoardStatusTimeline([new BoardStatusEvent(At(offlineAt), BoardStatus.Offline), new BoardStatusEvent(At(30), BoardStatus.Online)]);

        Assert.Equal(expected, timeline.HasOfflineWithin(At(0), At(60)));
    }

    [Fact]
    public void DeltaPolicy_AcceptedSet_IsCopied()
    {
        var accepted = new HashSet<DeltaKey> { new(1, 2) };
        var policy = DeltaPolicy.Default with { AcceptedHeldDeltas = accepted };
        accepted.Add(new DeltaKey(3, 4));

        Assert.Single(policy.AcceptedHeldDeltas);
        Assert.Empty(DeltaPolicy.Default.AcceptedHeldDeltas);
    }

    [Theory]
    [InlineData(DeltaMethod.Cumulative)]
    [InlineData(DeltaMethod.CumulativeSinceReset)]
    [InlineData(DeltaMethod.PowerIntegration)]
    [InlineData(DeltaMethod.Migrated)]
    public void LedgerText_Method_RoundTrips(DeltaMethod method) =>
        Assert.Equal(method, LedgerText.ParseMethod(LedgerText.Format(method)));

    [Fact]
    public void LedgerText_KindsAndConfidence_RoundTrip()
    {
        Assert.All(Enum.GetValues<EntryKind>(), k => Assert.Equal(k, LedgerText.ParseKind(LedgerText.Format(k))));
        Assert.All(Enum.GetValues<Confidence>(), c => Assert.Equal(c, LedgerText.ParseConfidence(EntryMarksText.Format(c))));
        Assert.Equal("reset_marker", LedgerText.Format(EntryKind.ResetMarker));
        Assert.Throws<FormatException>(() => LedgerText.ParseMethod("trapezoid"));
    }
}
