namespace AutoVolt.Domain.Ledger;

/// <summary>
/// The representation of accounted quantities, shared by every Domain calculation.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Energy is a <see cref="decimal"/> number of watt-hours with at most 6 decimals (micro-Wh),
/// matching <c>numeric(20, 6)</c>.</item>
/// <item>On-time is a <see cref="decimal"/> number of seconds with at most 3 decimals (ms), matching <c>numeric(14, 3)</c>.</item>
/// <item>Rates are currency units per kWh with at most 6 decimals, matching <c>numeric(12, 6)</c>.</item>
/// <item>Cost is <c>energy_wh × rate_per_kwh / 1000</c> computed exactly in decimal, never rounded
/// (stored in unbounded <c>numeric</c>), so cost is exactly additive over pieces of a split.</item>
/// <item>Rounding is to nearest, midpoints to even (banker's rounding).</item>
/// </list>
/// </remarks>
public static class Quantities
{
    /// <summary>Decimals kept for energy in Wh (6: micro-Wh).</summary>
    public const int EnergyDecimals = 6;

    /// <summary>Decimals kept for on-time in seconds (3: milliseconds).</summary>
    public const int SecondsDecimals = 3;

    /// <summary>Decimals allowed in a rate per kWh (6).</summary>
    public const int RateDecimals = 6;

    /// <summary>Rounds an energy value in Wh to <see cref="EnergyDecimals"/> decimals, midpoints to even.</summary>
    public static decimal RoundEnergy(decimal wattHours) => Math.Round(wattHours, EnergyDecimals, MidpointRounding.ToEven);

    /// <summary>Rounds a duration in seconds to <see cref="SecondsDecimals"/> decimals, midpoints to even.</summary>
    public static decimal RoundSeconds(decimal seconds) => Math.Round(seconds, SecondsDecimals, MidpointRounding.ToEven);

    /// <summary>Exact cost of <paramref name="energyWh"/> at <paramref name="ratePerKwh"/>: <c>energy × rate / 1000</c>, not rounded.</summary>
    public static decimal Cost(decimal energyWh, decimal ratePerKwh) => energyWh * ratePerKwh / 1000m;

    /// <summary>True when <paramref name="value"/> has at most <paramref name="decimals"/> decimals.</summary>
    public static bool HasAtMostDecimals(decimal value, int decimals) => Math.Round(value, decimals) == value;
}
