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
    public static decimal Cost(decimal energyWh, decimal ratePerKwh) => DivideBy1000(energyWh * ratePerKwh);

    /// <summary>
    /// <c>value / 1000m</c>, with the same result bits (value and scale) as the decimal division, without dividing.
    /// </summary>
    /// <remarks>
    /// For a mantissa m with scale s, the division gives m / 1000 at scale s when 1000 divides m; otherwise the exact
    /// quotient at the smallest scale above s, which is m with up to two trailing zeros stripped: m / 10^z at scale
    /// s + 3 − z (z = trailing zeros of m, at most 2). Cost is the hot spot of pricing (a 96-bit division per line);
    /// this is a few integer operations. Taken only where that reasoning is sure to hold (non-zero mantissa below 2^64,
    /// s + 3 ≤ 28); anything else divides. Pinned by a property test against the division, bit for bit.
    /// </remarks>
    internal static decimal DivideBy1000(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        ulong mantissa = unchecked((uint)bits[0] | ((ulong)(uint)bits[1] << 32));
        int scale = (bits[3] >> 16) & 0xFF;
        if (bits[2] != 0 || mantissa == 0 || scale > 25)
        {
            return value / 1000m;
        }
        bool negative = bits[3] < 0;
        if (mantissa % 1000 == 0)
        {
            return Make(mantissa / 1000, negative, scale);
        }
        if (mantissa % 100 == 0)
        {
            return Make(mantissa / 100, negative, scale + 1);
        }
        return mantissa % 10 == 0 ? Make(mantissa / 10, negative, scale + 2) : Make(mantissa, negative, scale + 3);
    }

    private static decimal Make(ulong mantissa, bool negative, int scale) =>
        new(unchecked((int)(uint)mantissa), unchecked((int)(uint)(mantissa >> 32)), 0, negative, (byte)scale);

    /// <summary>True when <paramref name="value"/> has at most <paramref name="decimals"/> decimals.</summary>
    public static bool HasAtMostDecimals(decimal value, int decimals) => Math.Round(value, decimals) == value;
}
