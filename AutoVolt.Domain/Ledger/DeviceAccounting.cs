namespace AutoVolt.Domain.Ledger;

/// <summary>
/// Accounts a window of one device's readings: the entry point of derivation and re-derivation.
/// </summary>
public static class DeviceAccounting
{
    /// <summary>
    /// Segments of every consecutive pair of <paramref name="readings"/> (see <see cref="DeltaCalculator"/>), in time order.
    /// </summary>
    /// <remarks>
    /// <para>Deterministic: the readings may come in any order and with any duplicates. Readings with the same
    /// measurement (<see cref="AccountingReading.HasSameMeasurement"/>) count once, as the one with the lowest
    /// event id; the rest are ordered by (timestamp, sequence number with null first, event id).</para>
    /// <para>To account the window (a, b], pass the last reading at or before a (the anchor) together with every
    /// reading in (a, b]: the first reading only opens the first interval.</para>
    /// </remarks>
    /// <param name="readings">Readings of one device, any order; fewer than two yield no segment.</param>
    /// <param name="policy">Thresholds and accepted held deltas.</param>
    /// <param name="statuses">The board's status events; null = none known.</param>
    /// <exception cref="ArgumentException">The readings belong to more than one device.</exception>
    public static IReadOnlyList<EnergySegment> Derive(
        IReadOnlyList<AccountingReading> readings, DeltaPolicy policy, BoardStatusTimeline? statuses = null)
    {
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentNullException.ThrowIfNull(policy);
        if (readings.Select(r => r.DeviceKey).Distinct(StringComparer.Ordinal).Skip(1).Any())
        {
            throw new ArgumentException("All readings must belong to one device.", nameof(readings));
        }
        var ordered = Order(readings);
        var segments = new List<EnergySegment>();
        for (int i = 1; i < ordered.Count; i++)
        {
            segments.AddRange(DeltaCalculator.Calculate(ordered[i - 1], ordered[i], policy, statuses));
        }
        return segments;
    }

    /// <summary>
    /// The readings without duplicate measurements (lowest event id kept), ordered by (timestamp, sequence number
    /// with null first, event id): the order <see cref="Derive"/> accounts them in.
    /// </summary>
    public static IReadOnlyList<AccountingReading> Order(IEnumerable<AccountingReading> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        return readings
            .GroupBy(r => r.MeasurementKey)
            .Select(g => g.MinBy(r => r.EventId)!)
            .OrderBy(r => r.Timestamp)
            .ThenBy(r => r.SequenceNo.HasValue)
            .ThenBy(r => r.SequenceNo ?? 0)
            .ThenBy(r => r.EventId)
            .ToList();
    }
}
