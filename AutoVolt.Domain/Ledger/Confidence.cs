namespace AutoVolt.Domain.Ledger;

/// <summary>How much a ledger entry's energy can be trusted (DESIGN.md section 3).</summary>
public enum Confidence
{
    /// <summary>Estimated (gap bridged by holding the last state, or migrated).</summary>
    Low = 0,
    /// <summary>Derived with an assumption (power integration, reset, gap on a cumulative meter).</summary>
    Medium = 1,
    /// <summary>Metered truth: difference of a cumulative counter within one boot.</summary>
    High = 2,
}
