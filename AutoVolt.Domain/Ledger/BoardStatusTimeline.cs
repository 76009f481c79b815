using NodaTime;

namespace AutoVolt.Domain.Ledger;

/// <summary>
/// The status events of one board, used to flag <see cref="EntryMarks.Offline"/> on deltas during which
/// the board reported being offline.
/// </summary>
/// <remarks>Immutable. Events may be given in any order; duplicates are harmless.</remarks>
public sealed class BoardStatusTimeline
{
    private readonly Instant[] _offlineInstants;

    /// <summary>Creates a timeline from status events in any order.</summary>
    public BoardStatusTimeline(IEnumerable<BoardStatusEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        _offlineInstants = [.. events.Where(e => e.Status == BoardStatus.Offline).Select(e => e.At).Distinct().Order()];
    }

    /// <summary>A timeline with no status events.</summary>
    public static BoardStatusTimeline Empty { get; } = new([]);

    /// <summary>True when an offline status lies strictly inside (<paramref name="start"/>, <paramref name="end"/>).</summary>
    public bool HasOfflineWithin(Instant start, Instant end)
    {
        if (_offlineInstants.Length == 0)
        {
            return false;
        }
        int index = Array.BinarySearch(_offlineInstants, start);
        int next = index >= 0 ? index + 1 : ~index;
        return next < _offlineInstants.Length && _offlineInstants[next] < end;
    }
}
