using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Pricing;
using AutoVolt.Domain.Time;
using CsCheck;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Ledger;

/// <summary>Generators of plausible-to-hostile reading histories of one device, and a fixed pricing setup.</summary>
internal static class AccountingGen
{
    public static readonly SiteCalendar Calendar = SiteCalendar.ForZoneId("America/New_York");

    // start a day before the 2025 fall-back so DST days are exercised
    private static readonly Instant Start = Instant.FromUtc(2025, 11, 1, 20, 0);

    public static readonly IReadOnlyList<CostVersion> Versions =
    [
        new(1, 8m, "INR", new LocalDateTime(2025, 1, 1, 0, 0), CostScope.Global, null, null, Start),
        new(2, 9.25m, "INR", new LocalDateTime(2025, 11, 2, 1, 30), CostScope.Classroom, "CR-101", null, Start),
        new(3, 11.125m, "INR", new LocalDateTime(2025, 11, 2, 18, 0), CostScope.Device, null, Readings.Device, Start),
    ];

    public static readonly CostVersionResolver Resolver = new(Versions, Calendar.Zone);

    private sealed record Step(int Seconds, int EnergyMilli, int Kind, int Power, int Switch, int Uptime);

    private static readonly Gen<Step> Steps =
        from seconds in Gen.OneOf(Gen.Int[0, 120], Gen.Int[0, 1800], Gen.Int[3000, 9000])
        from energyMilli in Gen.Int[0, 200_000]
        from kind in Gen.Int[0, 19] // 0: reboot with reset, 1: reboot keeping counter, 2: drop without reboot, 3: no counter
        from power in Gen.Int[0, 6000]
        from sw in Gen.Int[0, 2]
        from uptime in Gen.Int[0, 4000]
        select new Step(seconds, energyMilli, kind, power, sw, uptime);

    /// <summary>Readings in time order with distinct event ids 1..n.</summary>
    public static readonly Gen<AccountingReading[]> Histories = Steps.Array[2, 14].Select(Build);

    private static AccountingReading[] Build(Step[] steps)
    {
        var result = new AccountingReading[steps.Length];
        var t = Start;
        decimal energy = 1000m;
        int boot = 1;
        long uptime = 100;
        long seq = 1;
        for (int i = 0; i < steps.Length; i++)
        {
            var s = steps[i];
            t += Duration.FromSeconds(s.Seconds);
            uptime += s.Seconds;
            seq++;
            energy += s.EnergyMilli / 1000m;
            switch (s.Kind)
            {
                case 0:
                    boot++;
                    uptime = Math.Min(s.Uptime, s.Seconds);
                    seq = 1;
                    energy = s.EnergyMilli / 1000m;
                    break;
                case 1:
                    boot++;
                    uptime = Math.Min(s.Uptime, s.Seconds);
                    seq = 1;
                    break;
                case 2:
                    energy = s.EnergyMilli / 7000m;
                    break;
                default:
                    break;
            }
            bool? on = s.Switch switch { 0 => false, 1 => true, _ => null };
            result[i] = new AccountingReading(
                i + 1, Readings.Device, t, seq, s.Kind == 3 ? null : Math.Round(energy, 3), s.Power, on, uptime,
                "boot-" + boot.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return result;
    }

    public static IReadOnlyList<LedgerLine> Plan(IReadOnlyList<AccountingReading> readings, DeltaPolicy? policy = null, CostVersionResolver? resolver = null) =>
        LedgerPlanner.Plan(DeviceAccounting.Derive(readings, policy ?? DeltaPolicy.Default), Calendar, resolver ?? Resolver, "CR-101");
}
