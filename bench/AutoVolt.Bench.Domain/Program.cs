using AutoVolt.Bench.Domain;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project bench/AutoVolt.Bench.Domain
// Accounting core on one core: deltas + splitting at local midnights and rate changes + pricing,
// over a synthetic stream, against a baseline that only sums counter differences (same data, same run).
var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short-inprocess"));
BenchmarkSwitcher.FromAssembly(typeof(AccountingBenchmarks).Assembly).Run(args, config);
