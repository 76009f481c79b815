using System.Collections.Concurrent;
using NodaTime;

namespace AutoVolt.Domain.Pricing;

/// <summary>
/// Picks the cost version in effect for a device at an instant (DESIGN.md section 3, "Cost versions").
/// </summary>
/// <remarks>
/// Precedence: the most specific scope that has a version in effect (device &gt; classroom &gt; global); within
/// it the latest effective instant; ties by later <see cref="CostVersion.CreatedAt"/>, then higher
/// <see cref="CostVersion.Id"/>. A version is in effect from its effective instant (inclusive). When no version
/// applies the energy is unpriced: <see cref="Resolve"/> returns null and the planner records cost 0 with no rate.
/// Per (classroom, device) the versions are resolved once into a <see cref="CostTimeline"/> (the instants where the
/// applying version changes), so a lookup is a binary search, and a walk forward in time is O(1) per step.
/// Thread-safe.
/// </remarks>
public sealed class CostVersionResolver
{
    private readonly (CostVersion Version, Instant EffectiveAt)[] _versions;
    private readonly ConcurrentDictionary<(string? Classroom, string? DeviceKey), CostTimeline> _timelines = new();

    /// <summary>Creates a resolver over all known versions, whose effective instants are taken in <paramref name="zone"/>.</summary>
    public CostVersionResolver(IEnumerable<CostVersion> versions, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(zone);
        _versions = [.. versions
            .Select(v => (v, v.EffectiveAt(zone)))
            .OrderBy(x => x.Item2)
            .ThenBy(x => x.v.CreatedAt)
            .ThenBy(x => x.v.Id)];
    }

    /// <summary>The version in effect at <paramref name="instant"/> for the device, or null when none (unpriced).</summary>
    /// <param name="instant">The instant to price.</param>
    /// <param name="classroom">The device's classroom (null or empty = none).</param>
    /// <param name="deviceKey">The device key.</param>
    public CostVersion? Resolve(Instant instant, string? classroom, string? deviceKey) =>
        TimelineFor(classroom, deviceKey).At(instant);

    /// <summary>
    /// Instants strictly inside <paramref name="interval"/> where the version applying to the device changes, ascending.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The interval is unbounded.</exception>
    public IReadOnlyList<Instant> Boundaries(Interval interval, string? classroom, string? deviceKey)
    {
        if (!interval.HasStart || !interval.HasEnd)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), "The interval must be bounded.");
        }
        var timeline = TimelineFor(classroom, deviceKey);
        var result = new List<Instant>();
        for (int i = timeline.IndexAt(interval.Start) + 1; i < timeline.Count && timeline.ChangeAt(i) < interval.End; i++)
        {
            result.Add(timeline.ChangeAt(i));
        }
        return result;
    }

    /// <summary>The versions applying to one device over time (built once per classroom and device key, then cached).</summary>
    /// <param name="classroom">The device's classroom (null or empty = none).</param>
    /// <param name="deviceKey">The device key.</param>
    internal CostTimeline TimelineFor(string? classroom, string? deviceKey) =>
        _timelines.TryGetValue((classroom, deviceKey), out var timeline)
            ? timeline
            : _timelines.GetOrAdd((classroom, deviceKey), key => Build(key.Classroom, key.DeviceKey));

    private CostTimeline Build(string? classroom, string? deviceKey)
    {
        // Walk the versions in (effective, created, id) order keeping, per scope, the last applicable one seen: the
        // version in effect is that of the most specific scope seen so far. After each group of equal effective
        // instants, a change of that version is a change point.
        var latestByScope = new CostVersion?[3];
        var changes = new List<Instant>();
        var versions = new List<CostVersion?>();
        CostVersion? current = null;
        int i = 0;
        while (i < _versions.Length)
        {
            var at = _versions[i].EffectiveAt;
            for (; i < _versions.Length && _versions[i].EffectiveAt == at; i++)
            {
                var version = _versions[i].Version;
                if (version.AppliesTo(classroom, deviceKey))
                {
                    latestByScope[(int)version.Scope] = version;
                }
            }
            var inEffect = latestByScope[(int)CostScope.Device] ?? latestByScope[(int)CostScope.Classroom] ?? latestByScope[(int)CostScope.Global];
            if (!ReferenceEquals(inEffect, current))
            {
                changes.Add(at);
                versions.Add(inEffect);
                current = inEffect;
            }
        }
        return new CostTimeline([.. changes], [.. versions]);
    }
}
