using NodaTime;

namespace AutoVolt.Domain.Aggregation;

/// <summary>Totals of one device over one local month (a <c>monthly_aggregates</c> row).</summary>
/// <param name="DeviceKey">Device key.</param>
/// <param name="Month">Local year and month in the site zone.</param>
/// <param name="Classroom">Classroom of the device's latest line that month.</param>
/// <param name="Currency">Currency of the cost (see <see cref="AggregationMath"/>).</param>
/// <param name="Totals">The sums.</param>
public sealed record MonthlyTotal(string DeviceKey, YearMonth Month, string Classroom, string Currency, LedgerTotals Totals);
