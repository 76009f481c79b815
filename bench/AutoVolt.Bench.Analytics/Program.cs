using AutoVolt.Bench;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project bench/AutoVolt.Bench [-- --filter *Timeline*]
// In-process short runs: the data set (1 year × 1000 devices) is generated once per run in an embedded cluster.
var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short-inprocess"));
BenchmarkSwitcher.FromAssembly(typeof(AnalyticsBenchmarks).Assembly).Run(args, config);
