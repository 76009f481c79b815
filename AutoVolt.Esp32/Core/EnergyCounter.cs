namespace AutoVolt.Esp32.Core;

/// <summary>
/// Cumulative energy of one load channel, in exact integer fixed point (no floating-point
/// accumulator, so it behaves the same on the ESP32 and in .NET and never loses a fraction).
/// </summary>
/// <remarks>
/// <para>Representation: whole milliwatt-hours in <see cref="TotalMilliWh"/> plus a remainder in
/// microjoules (mW x ms) below one mWh (3 600 000 uJ). Each step adds <c>power(mW) x elapsed(ms)</c>
/// to the remainder and carries whole mWh out of it, so a 5 W load stepped once a second gains
/// 5 000 000 uJ per step and reaches 13.888... Wh after 10 000 steps; the old firmware's integer
/// Wh accumulator stayed at 0 for such loads. Power is held constant over a step (zero-order hold,
/// as the server integrates). A long holds 5 kW for 58 years.</para>
/// <para>Persistence: both numbers are written through <see cref="NvRecordSlots"/> when the
/// unpersisted energy reaches <c>persistEveryMilliWh</c>, when <c>persistEveryMs</c> has passed
/// with any change, on <see cref="Flush"/> (the board calls it before every telemetry reading it
/// reports, so a reported total is always durable and a reboot never makes the counter go
/// backwards) and on clean shutdown. <see cref="FlashWrites"/> counts the writes.</para>
/// </remarks>
public sealed class EnergyCounter
{
    /// <summary>Microjoules in one milliwatt-hour.</summary>
    public const long MicrojoulesPerMilliWh = 3600000;

    private readonly NvRecordSlots _slots;
    private readonly long _persistEveryMilliWh;
    private readonly long _persistEveryMs;
    private readonly long[] _buffer = new long[2];
    private long _milliWh;
    private long _remainderMicroJ;
    private long _persistedMilliWh;
    private long _persistedRemainder;
    private long _lastPersistMs;

    /// <summary>
    /// Creates the counter and restores it from <paramref name="store"/> (see <see cref="Restored"/>).
    /// </summary>
    /// <param name="store">Flash abstraction.</param>
    /// <param name="nvKey">Record key, at most 14 characters (e.g. "e0" for channel 0).</param>
    /// <param name="persistEveryMilliWh">Write after this much new energy (mWh, &gt; 0).</param>
    /// <param name="persistEveryMs">Write after this long with any change (ms, &gt; 0).</param>
    /// <param name="nowMs">Monotonic milliseconds at construction (boot).</param>
    public EnergyCounter(INvStore store, string nvKey, long persistEveryMilliWh, long persistEveryMs, long nowMs)
    {
        if (persistEveryMilliWh <= 0)
        {
            throw new System.ArgumentOutOfRangeException(nameof(persistEveryMilliWh));
        }

        if (persistEveryMs <= 0)
        {
            throw new System.ArgumentOutOfRangeException(nameof(persistEveryMs));
        }

        _slots = new NvRecordSlots(store, nvKey, 2);
        _persistEveryMilliWh = persistEveryMilliWh;
        _persistEveryMs = persistEveryMs;
        _lastPersistMs = nowMs;
        if (_slots.TryLoad(_buffer) && _buffer[0] >= 0 && _buffer[1] >= 0 && _buffer[1] < MicrojoulesPerMilliWh)
        {
            _milliWh = _buffer[0];
            _remainderMicroJ = _buffer[1];
            Restored = true;
        }

        _persistedMilliWh = _milliWh;
        _persistedRemainder = _remainderMicroJ;
    }

    /// <summary>True when the total was restored from flash at construction; false when it started at 0.</summary>
    public bool Restored { get; }

    /// <summary>Whole milliwatt-hours counted (the fraction below 1 mWh is carried, not lost).</summary>
    public long TotalMilliWh
    {
        get { return _milliWh; }
    }

    /// <summary>Fraction below one mWh, in microjoules (0 .. 3 599 999).</summary>
    public long RemainderMicrojoules
    {
        get { return _remainderMicroJ; }
    }

    /// <summary>Total energy in Wh including the carried fraction (for display and tests).</summary>
    public double TotalWh
    {
        get { return (_milliWh + (_remainderMicroJ / (double)MicrojoulesPerMilliWh)) / 1000.0; }
    }

    /// <summary>The milliwatt-hours last written to flash.</summary>
    public long PersistedMilliWh
    {
        get { return _persistedMilliWh; }
    }

    /// <summary>Flash writes made by this counter since boot (wear).</summary>
    public long FlashWrites
    {
        get { return _slots.Writes; }
    }

    /// <summary>
    /// Integrates <paramref name="powerMilliW"/> held over <paramref name="elapsedMs"/> and persists
    /// when the policy says so.
    /// </summary>
    /// <returns>True when this call wrote to flash.</returns>
    public bool Add(long powerMilliW, long elapsedMs, long nowMs)
    {
        if (powerMilliW < 0)
        {
            throw new System.ArgumentOutOfRangeException(nameof(powerMilliW));
        }

        if (elapsedMs < 0)
        {
            throw new System.ArgumentOutOfRangeException(nameof(elapsedMs));
        }

        // Split very long steps so the product cannot overflow (5 kW x 1 h = 1.8e13 uJ).
        while (elapsedMs > 0)
        {
            long chunk = elapsedMs > 3600000 ? 3600000 : elapsedMs;
            _remainderMicroJ += powerMilliW * chunk;
            long whole = _remainderMicroJ / MicrojoulesPerMilliWh;
            _milliWh += whole;
            _remainderMicroJ -= whole * MicrojoulesPerMilliWh;
            elapsedMs -= chunk;
        }

        bool changed = _milliWh != _persistedMilliWh || _remainderMicroJ != _persistedRemainder;
        if (_milliWh - _persistedMilliWh >= _persistEveryMilliWh
            || (changed && nowMs - _lastPersistMs >= _persistEveryMs))
        {
            Persist(nowMs);
            return true;
        }

        return false;
    }

    /// <summary>Integrates a power given in watts (rounded to the milliwatt).</summary>
    public bool AddWatts(double watts, long elapsedMs, long nowMs)
    {
        return Add(WattsToMilliW(watts), elapsedMs, nowMs);
    }

    /// <summary>Writes the counter if it changed since the last write (before reporting it, and on shutdown).</summary>
    /// <returns>True when a write happened.</returns>
    public bool Flush(long nowMs)
    {
        if (_milliWh == _persistedMilliWh && _remainderMicroJ == _persistedRemainder)
        {
            return false;
        }

        Persist(nowMs);
        return true;
    }

    /// <summary>Rounds watts to whole milliwatts; negative and NaN become 0.</summary>
    public static long WattsToMilliW(double watts)
    {
        if (!(watts > 0))
        {
            return 0;
        }

        return (long)((watts * 1000.0) + 0.5);
    }

    private void Persist(long nowMs)
    {
        _buffer[0] = _milliWh;
        _buffer[1] = _remainderMicroJ;
        _slots.Save(_buffer);
        _persistedMilliWh = _milliWh;
        _persistedRemainder = _remainderMicroJ;
        _lastPersistMs = nowMs;
    }
}
