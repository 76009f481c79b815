using NodaTime;

namespace AutoVolt.Domain.Aggregation;

/// <summary>Totals of one device over one local date (a <c>daily_aggregates</c> row).</summary>
/// <param name="DeviceKey">Device key.</param>
/// <param name="LocalDate">Local date in the site zone.</param>
/// <param name="Classroom">Classroom of the device's latest line that day.</param>
/// <param name="Currency">Currency of the cost (see <see cref="AggregationMath"/>).</param>
/// <param name="Totals">The sums.</param>
public sealed record DailyTotal(string DeviceKey, LocalDate LocalDate, string Classroom, string Currency, LedgerTotals Totals);
