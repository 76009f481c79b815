namespace AutoVolt.Web.Components.Common;

/// <summary>One named series of a chart; values in the chart's unit, rounded for display only.</summary>
public sealed record ChartSeriesData(string Name, IReadOnlyList<decimal> Values);
