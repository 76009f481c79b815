using System.Globalization;
using AutoVolt.Domain.Ledger;
using NodaTime;
using NodaTime.TimeZones;

namespace AutoVolt.Domain.Pricing;

/// <summary>
/// A rate in effect from a local date-time of the site zone (a <c>cost_versions</c> row; DESIGN.md section 3).
/// </summary>
/// <remarks>
/// <para>The instant a version takes effect is <see cref="EffectiveFrom"/> in the site zone, resolved by
/// <see cref="EffectiveFromResolver"/>: a local time skipped by a DST gap takes effect at the first instant after
/// the gap (e.g. 02:30 on a spring-forward night of America/New_York → 03:00 EDT); an ambiguous local time
/// (fall back) takes effect at its earlier occurrence.</para>
/// </remarks>
public sealed record CostVersion
{
    /// <summary>
    /// The DST rule for <see cref="EffectiveFrom"/>: ambiguous → earlier instant, skipped → first instant after the gap.
    /// </summary>
    public static ZoneLocalMappingResolver EffectiveFromResolver { get; } =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    /// <summary>Creates a version; see the properties for bounds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is violated.</exception>
    /// <exception cref="ArgumentException">The scope does not match the classroom/device key given.</exception>
    public CostVersion(
        long id,
        decimal costPerKwh,
        string currency,
        LocalDateTime effectiveFrom,
        CostScope scope,
        string? classroom,
        string? deviceKey,
        Instant createdAt)
    {
        if (id < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(id), "Id must not be negative.");
        }
        if (costPerKwh < 0m || costPerKwh >= 1_000_000m || !Quantities.HasAtMostDecimals(costPerKwh, Quantities.RateDecimals))
        {
            throw new ArgumentOutOfRangeException(nameof(costPerKwh), costPerKwh, "Rate must be in [0, 1000000) with at most 6 decimals.");
        }
        ArgumentNullException.ThrowIfNull(currency);
        if (currency.Length != 3 || !currency.All(c => c is >= 'A' and <= 'Z'))
        {
            throw new ArgumentOutOfRangeException(nameof(currency), currency, "Currency must be three upper-case letters (ISO 4217).");
        }
        bool hasClassroom = !string.IsNullOrWhiteSpace(classroom);
        bool hasDevice = !string.IsNullOrWhiteSpace(deviceKey);
        bool consistent = scope switch
        {
            CostScope.Global => !hasClassroom && !hasDevice,
            CostScope.Classroom => hasClassroom && !hasDevice,
            CostScope.Device => hasDevice && !hasClassroom,
            _ => throw new ArgumentOutOfRangeException(nameof(scope)),
        };
        if (!consistent)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Scope {scope} needs exactly the matching classroom/device key."), nameof(scope));
        }
        Id = id;
        CostPerKwh = costPerKwh;
        Currency = currency;
        EffectiveFrom = effectiveFrom;
        Scope = scope;
        Classroom = hasClassroom ? classroom : null;
        DeviceKey = hasDevice ? deviceKey : null;
        CreatedAt = createdAt;
    }

    /// <summary>Row id; &gt;= 0. Breaks ties after <see cref="CreatedAt"/> (higher wins).</summary>
    public long Id { get; }

    /// <summary>Rate in <see cref="Currency"/> per kWh: in [0, 1 000 000), at most 6 decimals.</summary>
    public decimal CostPerKwh { get; }

    /// <summary>ISO 4217 code, three upper-case letters (default INR).</summary>
    public string Currency { get; }

    /// <summary>Local date-time of the site zone from which the rate applies (inclusive).</summary>
    public LocalDateTime EffectiveFrom { get; }

    /// <summary>Scope of the version.</summary>
    public CostScope Scope { get; }

    /// <summary>Classroom for <see cref="CostScope.Classroom"/>; null otherwise.</summary>
    public string? Classroom { get; }

    /// <summary>Device key for <see cref="CostScope.Device"/>; null otherwise.</summary>
    public string? DeviceKey { get; }

    /// <summary>When the version was created; breaks ties of equal effective instants (later wins).</summary>
    public Instant CreatedAt { get; }

    /// <summary>The instant this version takes effect in <paramref name="zone"/> (the <c>effective_at</c> column).</summary>
    public Instant EffectiveAt(DateTimeZone zone) => ToEffectiveInstant(EffectiveFrom, zone);

    /// <summary>Maps a local effective date-time to an instant with <see cref="EffectiveFromResolver"/>.</summary>
    public static Instant ToEffectiveInstant(LocalDateTime effectiveFrom, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return zone.ResolveLocal(effectiveFrom, EffectiveFromResolver).ToInstant();
    }

    /// <summary>True when this version applies to the device <paramref name="deviceKey"/> in <paramref name="classroom"/> (ordinal match).</summary>
    public bool AppliesTo(string? classroom, string? deviceKey) => Scope switch
    {
        CostScope.Global => true,
        CostScope.Classroom => string.Equals(Classroom, classroom, StringComparison.Ordinal),
        _ => string.Equals(DeviceKey, deviceKey, StringComparison.Ordinal),
    };
}
