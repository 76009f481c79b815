using System;
using System.Collections.Generic;

namespace AutoVolt.Esp32.Simulator;

/// <summary>
/// Randomised but deterministic class timetable of one classroom: Mon–Sat, hourly periods
/// 09:00–16:00 site time with a lunch break at 13:00; each period is taught with probability 0.75.
/// During a period the lights come on within minutes of its start, fans when the day is warm, the
/// AC for some periods, the projector for part of some; now and then the room is left on until
/// 18:30. The plan of a day depends only on (seed, board, date).
/// </summary>
internal sealed class ClassTimetable
{
    private const long Minute = 60_000;
    private const long Hour = 3_600_000;
    private static readonly int[] ClassHours = [9, 10, 11, 12, 14, 15];

    private readonly int _seed;
    private readonly int _board;
    private readonly LoadKind[] _kinds;
    private readonly long _offsetMs;
    private readonly bool _aroundTheClock;
    private readonly List<(int Channel, long Start, long End)> _intervals = [];
    private long _planDay = long.MinValue;

    public ClassTimetable(int seed, int board, LoadKind[] kinds, TimeSpan utcOffset, bool aroundTheClock)
    {
        _seed = seed;
        _board = board;
        _kinds = kinds;
        _offsetMs = (long)utcOffset.TotalMilliseconds;
        _aroundTheClock = aroundTheClock;
    }

    /// <summary>Fills <paramref name="desired"/> with the relay states the timetable wants at <paramref name="unixMs"/>.</summary>
    public void Desired(long unixMs, bool[] desired)
    {
        long localDay = FloorDiv(unixMs + _offsetMs, 24 * Hour);
        Array.Clear(desired);

        // A period that overruns local midnight (around-the-clock mode only) is cut there.
        Plan(localDay);
        foreach (var (channel, start, end) in _intervals)
        {
            if (unixMs >= start && unixMs < end)
            {
                desired[channel] = true;
            }
        }
    }

    private void Plan(long localDay)
    {
        if (_planDay == localDay)
        {
            return;
        }

        _planDay = localDay;
        _intervals.Clear();
        var random = new Random(unchecked((_seed * 7_919) + (_board * 104_729) + (int)localDay));
        long dayStartUtc = (localDay * 24 * Hour) - _offsetMs;
        int dayOfWeek = (int)FloorMod(localDay + 4, 7); // 1970-01-01 was a Thursday; 0 = Sunday
        if (!_aroundTheClock && dayOfWeek == 0)
        {
            return;
        }

        bool warm = random.NextDouble() < 0.8;
        bool leftOn = random.NextDouble() < 0.05;
        long lastEnd = -1;
        int hours = _aroundTheClock ? 24 : ClassHours.Length;
        for (int i = 0; i < hours; i++)
        {
            int hour = _aroundTheClock ? i : ClassHours[i];
            if (random.NextDouble() >= 0.75)
            {
                continue;
            }

            long slot = dayStartUtc + (hour * Hour);
            long on = slot + random.NextInt64(0, 5 * Minute);
            long off = slot + Hour + random.NextInt64(-3 * Minute, 5 * Minute);
            bool ac = random.NextDouble() < 0.6;
            bool projector = random.NextDouble() < 0.5;
            for (int ch = 0; ch < _kinds.Length; ch++)
            {
                switch (_kinds[ch])
                {
                    case LoadKind.Light:
                        _intervals.Add((ch, on + random.NextInt64(0, Minute), off));
                        break;
                    case LoadKind.Fan when warm:
                        _intervals.Add((ch, on + random.NextInt64(0, 2 * Minute), off));
                        break;
                    case LoadKind.AirConditioner when ac:
                        _intervals.Add((ch, on + (5 * Minute), off - (2 * Minute)));
                        break;
                    case LoadKind.Projector when projector:
                        _intervals.Add((ch, slot + (10 * Minute), slot + (50 * Minute)));
                        break;
                    default:
                        break;
                }
            }

            lastEnd = Math.Max(lastEnd, off);
        }

        if (leftOn && lastEnd > 0 && !_aroundTheClock)
        {
            long until = dayStartUtc + (18 * Hour) + (30 * Minute);
            for (int ch = 0; ch < _kinds.Length; ch++)
            {
                if (_kinds[ch] is LoadKind.Light or LoadKind.Fan)
                {
                    _intervals.Add((ch, lastEnd, until));
                }
            }
        }
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : ((a + 1) / b) - 1;

    private static long FloorMod(long a, long b) => ((a % b) + b) % b;
}
