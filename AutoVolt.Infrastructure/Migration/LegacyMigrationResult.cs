namespace AutoVolt.Infrastructure.Migration;

/// <summary>What a migration run did (all zero writes on a dry run or a re-run).</summary>
public sealed record LegacyMigrationResult(int Mappings, int Sessions, int Readings, int ReadingsInserted, int CostVersionsCreated,
    int LedgerRowsAppended, int DaysAggregated, IReadOnlyList<ReconciliationLine> Days);
