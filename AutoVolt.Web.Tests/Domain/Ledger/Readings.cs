using AutoVolt.Domain.Ledger;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Ledger;

/// <summary>Builders of readings for one device, times in seconds after <see cref="T0"/>.</summary>
internal static class Readings
{
    public const string Device = "ESP01/light_1";

    public static readonly Instant T0 = Instant.FromUtc(2025, 11, 5, 6, 0);

    public static Instant At(int seconds) => T0 + Duration.FromSeconds(seconds);

    public static AccountingReading Energy(long id, int seconds, decimal energyWh, bool? on = true, string? boot = "b1", long? uptime = null, decimal? power = null, long? seq = null, EntryMarks marks = EntryMarks.None) =>
        new(id, Device, At(seconds), seq, energyWh, power, on, uptime, boot, marks);

    public static AccountingReading Power(long id, int seconds, decimal powerW, bool? on = true, string? boot = "b1", long? uptime = null, long? seq = null, EntryMarks marks = EntryMarks.None) =>
        new(id, Device, At(seconds), seq, null, powerW, on, uptime, boot, marks);
}
