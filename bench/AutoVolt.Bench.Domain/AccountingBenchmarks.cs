using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;
using BenchmarkDotNet.Attributes;
using NodaTime;

namespace AutoVolt.Bench.Domain;

/// <summary>
/// One device, <see cref="Readings"/> readings 30 s apart (a cumulative counter, switch on, a reboot every
/// 2000 readings) over ~35 days (34 local midnights in Asia/Kolkata) and a rate change every 6 hours (160 versions).
/// In this stream every midnight and rate change falls exactly on a reading, so no segment is split;
/// <see cref="DeriveAndPlanUnaligned"/> shifts the readings by 7 s so that each one cuts a segment.
/// Reported per operation; readings/s = Readings / mean.
/// </summary>
[MemoryDiagnoser]
public class AccountingBenchmarks
{
    public const int Readings = 100_000;

    /// <summary>Readings per call in the windowed benchmarks (about 8 h of one device at 30 s).</summary>
    public const int Window = 1_000;

    private AccountingReading[] _readings = [];
    private AccountingReading[] _unaligned = [];
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
        _unaligned = [.. _readings.Select(r => new AccountingReading(
            r.EventId, r.DeviceKey, r.Timestamp + Duration.FromSeconds(7), r.SequenceNo, r.EnergyWhTotal, r.PowerW, r.SwitchOn, r.UptimeSeconds, r.BootId))];
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

    /// <summary><see cref="DeriveAndPlan"/> over the stream shifted by 7 s: every midnight and rate change splits a segment.</summary>
    [Benchmark]
    public int DeriveAndPlanUnaligned() =>
        DeviceAccounting.DeriveAndPlan(_unaligned, DeltaPolicy.Default, null, _calendar, _resolver, "CR-101").Count;

    /// <summary>
    /// <see cref="DeriveSplitPrice"/> as the ledger job calls it: windows of <see cref="Window"/> readings (each with the
    /// previous window's last reading as anchor, so the pairs are the same), the lines of a window dropped after use.
    /// </summary>
    [Benchmark]
    public int DeriveSplitPriceWindowed()
    {
        int lines = 0;
        for (int start = 0; start < _readings.Length - 1; start += Window)
        {
            var window = new ArraySegment<AccountingReading>(_readings, start, Math.Min(Window + 1, _readings.Length - start));
            lines += LedgerPlanner.Plan(DeviceAccounting.Derive(window, DeltaPolicy.Default), _calendar, _resolver, "CR-101").Count;
        }
        return lines;
    }

    /// <summary><see cref="DeriveAndPlan"/> in windows, as <see cref="DeriveSplitPriceWindowed"/>.</summary>
    [Benchmark]
    public int DeriveAndPlanWindowed()
    {
        int lines = 0;
        for (int start = 0; start < _readings.Length - 1; start += Window)
        {
            var window = new ArraySegment<AccountingReading>(_readings, start, Math.Min(Window + 1, _readings.Length - start));
            lines += DeviceAccounting.DeriveAndPlan(window, DeltaPolicy.Default, null, _calendar, _resolver, "CR-101").Count;
        }
        return lines;
    }
}
