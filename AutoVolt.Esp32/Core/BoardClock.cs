namespace AutoVolt.Esp32.Core;

/// <summary>
/// Wall clock of a board, kept as an offset from the monotonic millisecond counter. Unsynced until
/// the first NTP answer; an instant before 2020-01-01 is never accepted as a sync (an ESP32 RTC
/// without NTP starts in 1970).
/// </summary>
public sealed class BoardClock
{
    /// <summary>2020-01-01T00:00:00Z in Unix milliseconds: earlier wall-clock values are not trusted.</summary>
    public const long EarliestValidUnixMs = 1577836800000;

    private long _offsetMs;

    /// <summary>True once <see cref="Sync"/> accepted a time.</summary>
    public bool IsSynced { get; private set; }

    /// <summary>Sets the wall clock: at monotonic <paramref name="nowMs"/> the time is <paramref name="unixMs"/>.</summary>
    /// <returns>False (and the clock unchanged) when <paramref name="unixMs"/> is before 2020.</returns>
    public bool Sync(long unixMs, long nowMs)
    {
        if (unixMs < EarliestValidUnixMs)
        {
            return false;
        }

        _offsetMs = unixMs - nowMs;
        IsSynced = true;
        return true;
    }

    /// <summary>Forgets the sync (a reboot without RTC backup).</summary>
    public void Unsync()
    {
        IsSynced = false;
        _offsetMs = 0;
    }

    /// <summary>Wall-clock Unix milliseconds at monotonic <paramref name="monotonicMs"/>, or -1 when unsynced.</summary>
    public long ToUnixMs(long monotonicMs)
    {
        return IsSynced ? monotonicMs + _offsetMs : -1;
    }
}
