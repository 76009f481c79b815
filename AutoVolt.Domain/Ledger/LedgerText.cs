namespace AutoVolt.Domain.Ledger;

/// <summary>
/// snake_case text of <see cref="DeltaMethod"/>, <see cref="EntryKind"/> and <see cref="Confidence"/> as stored in
/// <c>ledger_entries</c> (marks: <see cref="EntryMarksText"/>).
/// </summary>
public static class LedgerText
{
    /// <summary><c>cumulative</c>, <c>cumulative_since_reset</c>, <c>power_integration</c> or <c>migrated</c>.</summary>
    public static string Format(DeltaMethod method) => method switch
    {
        DeltaMethod.Cumulative => "cumulative",
        DeltaMethod.CumulativeSinceReset => "cumulative_since_reset",
        DeltaMethod.PowerIntegration => "power_integration",
        DeltaMethod.Migrated => "migrated",
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    /// <summary><c>posting</c>, <c>reversal</c> or <c>reset_marker</c>.</summary>
    public static string Format(EntryKind kind) => kind switch
    {
        EntryKind.Posting => "posting",
        EntryKind.Reversal => "reversal",
        EntryKind.ResetMarker => "reset_marker",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses the text of <see cref="Format(DeltaMethod)"/>.</summary>
    /// <exception cref="FormatException">Unknown text.</exception>
    public static DeltaMethod ParseMethod(string text) => text switch
    {
        "cumulative" => DeltaMethod.Cumulative,
        "cumulative_since_reset" => DeltaMethod.CumulativeSinceReset,
        "power_integration" => DeltaMethod.PowerIntegration,
        "migrated" => DeltaMethod.Migrated,
        _ => throw new FormatException("Unknown delta method: " + text),
    };

    /// <summary>Parses the text of <see cref="Format(EntryKind)"/>.</summary>
    /// <exception cref="FormatException">Unknown text.</exception>
    public static EntryKind ParseKind(string text) => text switch
    {
        "posting" => EntryKind.Posting,
        "reversal" => EntryKind.Reversal,
        "reset_marker" => EntryKind.ResetMarker,
        _ => throw new FormatException("Unknown entry kind: " + text),
    };

    /// <summary>Parses <c>high</c>, <c>medium</c> or <c>low</c>.</summary>
    /// <exception cref="FormatException">Unknown text.</exception>
    public static Confidence ParseConfidence(string text) => text switch
    {
        "high" => Confidence.High,
        "medium" => Confidence.Medium,
        "low" => Confidence.Low,
        _ => throw new FormatException("Unknown confidence: " + text),
    };
}
