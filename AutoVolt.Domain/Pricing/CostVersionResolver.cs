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
/// Immutable and thread-safe.
/// </remarks>
public sealed class CostVersionResolver
{
    private readonly (CostVersion Version, Instant EffectiveAt)[] _versions;

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
    public CostVersion? Resolve(Instant instant, string? classroom, string? deviceKey)
    {
        CostVersion? best = null;
        foreach (var (version, effectiveAt) in _versions)
        {
            if (effectiveAt > instant)
            {
                break;
            }
            if (version.AppliesTo(classroom, deviceKey) && (best is null || version.Scope >= best.Scope))
            {
                // ascending (effective, created, id) order: a later one of at least the same scope wins
                best = version;
            }
        }
        return best;
    }

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
        var result = new List<Instant>();
        // Versions are sorted by effective instant: find the first one after the start by binary search and walk
        // only those inside the interval (most intervals contain none, so this is O(log n) per interval).
        int lo = 0, hi = _versions.Length;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (_versions[mid].EffectiveAt <= interval.Start)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        CostVersion? current = null;
        bool resolvedStart = false;
        Instant? previousCandidate = null;
        for (int i = lo; i < _versions.Length && _versions[i].EffectiveAt < interval.End; i++)
        {
            var (version, candidate) = _versions[i];
            if (candidate == previousCandidate || !version.AppliesTo(classroom, deviceKey))
            {
                continue;
            }
            previousCandidate = candidate;
            if (!resolvedStart)
            {
                current = Resolve(interval.Start, classroom, deviceKey);
                resolvedStart = true;
            }
            var next = Resolve(candidate, classroom, deviceKey);
            if (!ReferenceEquals(next, current))
            {
                result.Add(candidate);
                current = next;
            }
        }
        return result;
    }
}
