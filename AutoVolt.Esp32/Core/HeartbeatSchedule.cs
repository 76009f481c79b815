namespace AutoVolt.Esp32.Core;

/// <summary>
/// Fixed-rate schedule on the monotonic clock (heartbeat every 30 s by default). Due times advance
/// by whole intervals from the first one so they do not drift; after a long stall (more than one
/// interval late) the next due time restarts from now instead of firing a burst.
/// </summary>
public sealed class HeartbeatSchedule
{
    /// <summary>DESIGN.md: heartbeat every 30 s.</summary>
    public const long DefaultIntervalMs = 30000;

    private long _nextDueMs;

    /// <summary>Creates a schedule whose first occasion is due at <paramref name="firstDueMs"/>.</summary>
    public HeartbeatSchedule(long intervalMs, long firstDueMs)
    {
        if (intervalMs <= 0)
        {
            throw new System.ArgumentOutOfRangeException(nameof(intervalMs));
        }

        IntervalMs = intervalMs;
        _nextDueMs = firstDueMs;
    }

    /// <summary>Interval in ms.</summary>
    public long IntervalMs { get; }

    /// <summary>Monotonic ms of the next occasion.</summary>
    public long NextDueMs
    {
        get { return _nextDueMs; }
    }

    /// <summary>True when an occasion is due at <paramref name="nowMs"/>.</summary>
    public bool IsDue(long nowMs)
    {
        return nowMs >= _nextDueMs;
    }

    /// <summary>Returns true and advances when due at <paramref name="nowMs"/>; false otherwise.</summary>
    public bool TryConsume(long nowMs)
    {
        if (nowMs < _nextDueMs)
        {
            return false;
        }

        _nextDueMs += IntervalMs;
        if (_nextDueMs <= nowMs)
        {
            _nextDueMs = nowMs + IntervalMs;
        }

        return true;
    }

    /// <summary>Moves the next occasion to <paramref name="nowMs"/> + interval (e.g. after a reconnect).</summary>
    public void Restart(long nowMs)
    {
        _nextDueMs = nowMs + IntervalMs;
    }
}
