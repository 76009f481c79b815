using System;

namespace AutoVolt.Esp32.Simulator;

/// <summary>
/// Simulated wall clock: <c>start + realElapsed x scale</c>, but never ahead of the real clock;
/// once it catches up it follows real time.
/// </summary>
internal sealed class SimulationClock
{
    private readonly TimeProvider _real;
    private readonly long _realStartTimestamp;
    private readonly long _simStartUnixMs;
    private readonly double _scale;

    public SimulationClock(TimeProvider real, DateTimeOffset simulatedStart, double scale)
    {
        _real = real;
        _realStartTimestamp = real.GetTimestamp();
        _simStartUnixMs = simulatedStart.ToUnixTimeMilliseconds();
        _scale = scale;
    }

    public long StartUnixMs => _simStartUnixMs;

    /// <summary>Current simulated Unix milliseconds.</summary>
    public long NowUnixMs()
    {
        TimeSpan realElapsed = _real.GetElapsedTime(_realStartTimestamp);
        long sim = _simStartUnixMs + (long)(realElapsed.TotalMilliseconds * _scale);
        long realNow = _real.GetUtcNow().ToUnixTimeMilliseconds();
        return Math.Min(sim, Math.Max(realNow, _simStartUnixMs));
    }
}
