using NodaTime;

namespace AutoVolt.Domain.Ledger;

/// <summary>
/// The content of an <see cref="EnergySegment"/> as a value, for the allocation-free path from readings to ledger
/// lines (<see cref="DeviceAccounting.DeriveAndPlan"/>). Valid by construction where it is made (see <see cref="DeltaCalculator"/>).
/// </summary>
internal readonly record struct SegmentValue(
    string DeviceKey,
    Instant Start,
    Instant End,
    decimal EnergyWh,
    decimal HeldEnergyWh,
    decimal OnTimeSeconds,
    DeltaMethod Method,
    Confidence Confidence,
    EntryMarks Marks,
    EntryKind Kind,
    long FromEventId,
    long ToEventId)
{
    /// <summary>The value of an existing segment.</summary>
    public static SegmentValue Of(EnergySegment segment) => new(
        segment.DeviceKey, segment.Start, segment.End, segment.EnergyWh, segment.HeldEnergyWh, segment.OnTimeSeconds,
        segment.Method, segment.Confidence, segment.Marks, segment.Kind, segment.FromEventId, segment.ToEventId);

    /// <summary>The segment object (no checks repeated: the value is valid by construction).</summary>
    public EnergySegment ToSegment() => EnergySegment.Unchecked(
        DeviceKey, Start, End, EnergyWh, HeldEnergyWh, OnTimeSeconds, Method, Confidence, Marks, Kind, FromEventId, ToEventId);
}

/// <summary>Receives the segments of <see cref="DeltaCalculator"/> in time order (a struct, so calls are direct).</summary>
internal interface ISegmentSink
{
    /// <summary>Takes the next segment.</summary>
    void Add(in SegmentValue segment);
}

/// <summary>Collects segments as <see cref="EnergySegment"/> objects.</summary>
internal readonly struct SegmentListSink(List<EnergySegment> list) : ISegmentSink
{
    /// <inheritdoc/>
    public void Add(in SegmentValue segment) => list.Add(segment.ToSegment());
}
