namespace AutoVolt.Infrastructure.Jobs;

/// <summary>Hangfire queues, most urgent first.</summary>
public static class JobQueues
{
    public const string Ledger = "ledger";
    public const string Default = "default";

    public static readonly string[] All = [Ledger, Default];
}
