using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;
using BenchmarkDotNet.Attributes;
using NodaTime;

namespace AutoVolt.Bench.Domain;

/// <summary>
/// One device, <see cref="Readings"/> readings 30 s apart (a cumulative counter, switch on, a reboot every
/// 2000 readings), three days (two local midnights in Asia/Kolkata) and a rate change every 6 hours.
/// Reported per operation; readings/s = Readings / mean.
/// </summary>
[MemoryDiagnoser]
public class AccountingBenchmarks
{
    public const int Readings = 100_000;

    private AccountingReading[] _readings = [];
    private SiteCalendar _calendar = null!;
    private CostVersionResolver _resolver = null!;

    [GlobalSetup]
    public void Setup()
    {
        var zone = DateTimeZoneProviders.Tzdb["Asia/Kolkata"];
        _calendar = new SiteCalendar(zone);
        var start = Instant.FromUtc(2025, 11, 5, 0, 0);
        var versions = Enumerable.Range(0, 160)
            .Select(i => new CostVersion(i + 1, 7m + i % 3, "INR", new LocalDateTime(2025, 11, 5, 0, 0).PlusHours(6 * i), CostScope.Global, null, null, start))
            .ToList();
        _resolver = new CostVersionResolver(versions, zone);
        var rng = new Random(7);
        var energy = 1000m;
        var boot = 0;
        _readings = new AccountingReading[Readings];
        for (var i = 0; i < Readings; i++)
        {
            if (i > 0 && i % 2000 == 0)
            {
                boot++;
            }
            energy += Math.Round((decimal)rng.NextDouble() * 0.4m, 6);
            _readings[i] = new AccountingReading(i + 1, "ESP01/light_1", start + Duration.FromSeconds(30L * i), i, energy, 40m, true,
                86_400 + 30L * (i % 2000), "boot-" + boot);
        }
    }

    /// <summary>Baseline: sum of counter differences over the same readings (no rules, no splitting, no pricing).</summary>
    [Benchmark(Baseline = true)]
    public decimal SumOfDifferences()
    {
        var total = 0m;
        for (var i = 1; i < _readings.Length; i++)
        {
            total += _readings[i].EnergyWhTotal!.Value - _readings[i - 1].EnergyWhTotal!.Value;
        }
        return total;
    }

    /// <summary>Delta rules over the whole stream (DeviceAccounting.Derive).</summary>
    [Benchmark]
    public int Derive() => DeviceAccounting.Derive(_readings, DeltaPolicy.Default).Count;

    /// <summary>Derive, split at local midnights and rate changes, price (what the ledger job does per window).</summary>
    [Benchmark]
    public int DeriveSplitPrice()
    {
        var segments = DeviceAccounting.Derive(_readings, DeltaPolicy.Default);
        return LedgerPlanner.Plan(segments, _calendar, _resolver, "CR-101").Count;
    }

    /// <summary>The same lines as <see cref="DeriveSplitPrice"/> in one pass, without intermediate segment objects.</summary>
    [Benchmark]
    public int DeriveAndPlan() =>
        DeviceAccounting.DeriveAndPlan(_readings, DeltaPolicy.Default, null, _calendar, _resolver, "CR-101").Count;
}
