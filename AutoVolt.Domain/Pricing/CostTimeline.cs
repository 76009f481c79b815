using NodaTime;

namespace AutoVolt.Domain.Pricing;

/// <summary>
/// The cost versions applying to one device over time: change points <c>(instant, version)</c> in ascending order,
/// each version in effect from its instant (inclusive) to the next change; before the first change none applies.
/// Made by <see cref="CostVersionResolver.TimelineFor"/>. Immutable and thread-safe.
/// </summary>
internal sealed class CostTimeline
{
    private readonly Instant[] _changes;
    private readonly CostVersion?[] _versions;

    internal CostTimeline(Instant[] changes, CostVersion?[] versions)
    {
        _changes = changes;
        _versions = versions;
    }

    /// <summary>Number of change points.</summary>
    public int Count => _changes.Length;

    /// <summary>Instant of change point <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public Instant ChangeAt(int index) => _changes[index];

    /// <summary>Version in effect from change point <paramref name="index"/>; −1 = before the first change (null, unpriced).</summary>
    public CostVersion? VersionAt(int index) => index < 0 ? null : _versions[index];

    /// <summary>The version in effect at <paramref name="instant"/>, or null when none (unpriced).</summary>
    public CostVersion? At(Instant instant) => VersionAt(IndexAt(instant));

    /// <summary>Index of the last change point at or before <paramref name="instant"/>; −1 when none (binary search).</summary>
    public int IndexAt(Instant instant)
    {
        int lo = 0, hi = _changes.Length;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (_changes[mid] <= instant)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo - 1;
    }

    /// <summary>
    /// <see cref="IndexAt(Instant)"/> starting from a previous answer <paramref name="hint"/>: O(1) when <paramref name="instant"/>
    /// is at or after the hint's change point and before the next few ones (a walk forward in time), else a binary search.
    /// </summary>
    public int IndexAt(Instant instant, int hint)
    {
        if (hint < -1 || hint >= _changes.Length || (hint >= 0 && _changes[hint] > instant))
        {
            return IndexAt(instant);
        }
        for (int steps = 0; steps < 4; steps++)
        {
            if (hint + 1 >= _changes.Length || _changes[hint + 1] > instant)
            {
                return hint;
            }
            hint++;
        }
        return IndexAt(instant);
    }

    /// <summary>True when a change point lies strictly inside (<c>instants after index</c>, <paramref name="end"/>), given <paramref name="index"/> = <see cref="IndexAt(Instant)"/> of the start.</summary>
    public bool ChangesBefore(int index, Instant end) => index + 1 < _changes.Length && _changes[index + 1] < end;
}
