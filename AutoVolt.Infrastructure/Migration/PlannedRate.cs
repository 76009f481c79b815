using NodaTime;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>A global rate to create as a cost version, effective from the start of <paramref name="From"/> (site time).</summary>
public sealed record PlannedRate(LocalDate From, decimal CostPerKwh, string Evidence);
