namespace AutoVolt.Infrastructure.Jobs;

/// <summary>Ids of every recurring job, in one place.</summary>
public static class RecurringJobs
{
    public const string LedgerSafetyNet = "ledger-safety-net";
    public const string AggregationSafetyNet = "aggregation-safety-net";
    public const string Reconciliation = "reconciliation-nightly";
}
