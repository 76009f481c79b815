using System.ComponentModel.DataAnnotations;

namespace AutoVolt.Infrastructure.Reconciliation;

/// <summary>Section <c>Reconciliation</c>: thresholds of the nightly checks.</summary>
public sealed class ReconciliationOptions
{
    public const string Section = "Reconciliation";

    /// <summary>Gaps (readings further apart) longer than this many minutes get a ticket.</summary>
    [Range(1, 10080)]
    public int GapMinutes { get; set; } = 60;

    /// <summary>A completed device-day whose ledger rows (without gap estimates) cover less than this fraction gets a ticket.</summary>
    [Range(0.0, 1.0)]
    public double MinCoverage { get; set; } = 0.9;

    /// <summary>A board clock offset beyond ± this many seconds gets a ticket.</summary>
    [Range(1, 86400)]
    public int ClockDriftSeconds { get; set; } = 300;

    /// <summary>Days checked besides today: 1 = yesterday and today.</summary>
    [Range(0, 31)]
    public int LookBackDays { get; set; } = 1;
}
