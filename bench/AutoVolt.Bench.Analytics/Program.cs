using AutoVolt.Bench;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project bench/AutoVolt.Bench [-- --filter *Timeline*]
// In-process short runs: the data set (1 year × 1000 devices) is generated once per run in an embedded cluster.
var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short-inprocess"))
    .AddColumn(StatisticColumn.P95);
if (args is ["--timeline-ab", var countText])
{
    // Interleaved per-call latencies of the one-day 15-min timeline, new and before, alternating call by call so that
    // the shared box's load drifts equally over both; prints mean / p50 / p95 / max of each and the ratios.
    var bench = new AnalyticsBenchmarks();
    bench.Setup();
    try
    {
        await bench.TimelineAbAsync(int.Parse(countText, System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    }
    finally
    {
        bench.Cleanup();
    }
}
if (args is ["--dense-day", var callsText])
{
    // The one-day 15-min timeline over 1.44 M ledger rows (one per 60-s reading of 1 000 devices): quarter-hour aggregates
    // against the ledger computation, alternating; also times AggregationJob over those 1 000 device-days.
    return await DenseDayBench.RunAsync(int.Parse(callsText, System.Globalization.CultureInfo.InvariantCulture));
}
if (args is ["--check-timeline"])
{
    // Equality of the rewritten timeline and the one before it on the bench data (every bucket, value and decimal scale).
    var bench = new AnalyticsBenchmarks();
    bench.Setup();
    try
    {
        return await bench.CheckTimelineAgainstBeforeAsync();
    }
    finally
    {
        bench.Cleanup();
    }
}
BenchmarkSwitcher.FromAssembly(typeof(AnalyticsBenchmarks).Assembly).Run(args, config);
return 0;
