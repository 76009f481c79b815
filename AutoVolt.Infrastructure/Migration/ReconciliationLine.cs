using NodaTime;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>How one old device-day compares: old = the SUM of its EnergyConsumption documents; new = AutoVolt's daily aggregates.</summary>
public sealed record ReconciliationLine(string LegacyDeviceId, string Board, LocalDate Date, decimal OldWh, int OldDocs, decimal NewWh, decimal NewCost,
    string Verdict, string Cause)
{
    public const string Match = "match";
    public const string Explained = "differs";
    public const string Unexplained = "unexplained";
}
