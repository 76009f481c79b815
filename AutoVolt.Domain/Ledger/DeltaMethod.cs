namespace AutoVolt.Domain.Ledger;

/// <summary>How the energy of a ledger entry was derived (DESIGN.md section 3, "Delta methods").</summary>
public enum DeltaMethod
{
    /// <summary>Difference of a cumulative energy counter: <c>e2 − e1</c>.</summary>
    Cumulative = 0,
    /// <summary>The counter went down (reset, wrap or meter swap): the energy is the new counter value <c>e2</c>.</summary>
    CumulativeSinceReset = 1,
    /// <summary>Zero-order hold of the earlier reading's power: <c>p1 × (t2 − t1)</c>, only while its switch is ON.</summary>
    PowerIntegration = 2,
    /// <summary>Synthesised by the legacy migration importer (not produced by the Domain calculators).</summary>
    Migrated = 3,
}
