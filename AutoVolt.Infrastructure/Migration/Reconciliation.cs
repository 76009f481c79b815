using System.Globalization;
using AutoVolt.Domain.Time;
using NodaTime;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>
/// Verifies AutoVolt's per device-day energy against the old EnergyConsumption store. Old = the SUM of the duplicate
/// documents of a (deviceId, year, month, day). A day matches when |new − old| ≤ max(0.5 Wh, 1 % of old). Otherwise
/// the old system's behaviours are replayed one at a time on the re-derived intervals, and the first model that
/// reproduces the old figure names the cause(s):
/// (1) midnight split — the whole interval credited to its ON day;
/// (2) sessions the old system lost — only intervals whose OFF carried a tracker row (with <c>duration</c>) count;
/// (3) duplicate rows — every tracker OFF row's own energy counts, duplicates included.
/// No model reproduces it: unexplained.
/// </summary>
public static class Reconciliation
{
    public static IReadOnlyList<ReconciliationLine> Compare(IReadOnlyList<DeviceMapping> mappings, IReadOnlyList<LegacyEnergyDay> oldDays,
        IReadOnlyList<LegacySession> sessions, IReadOnlyDictionary<(string DeviceKey, LocalDate Date), (decimal Wh, decimal Cost)> newDays,
        SiteCalendar calendar)
    {
        var boards = mappings.GroupBy(m => m.LegacyDeviceId).ToDictionary(g => g.Key, g => g.First().Esp32Name);
        var keysOf = mappings.GroupBy(m => m.LegacyDeviceId).ToDictionary(g => g.Key, g => g.Select(m => m.DeviceKey).ToHashSet(StringComparer.Ordinal));
        var legacyOfKey = mappings.ToDictionary(m => m.DeviceKey, m => m.LegacyDeviceId, StringComparer.Ordinal);

        var old = oldDays.GroupBy(d => (d.DeviceId, d.Date)).ToDictionary(g => g.Key, g => (Wh: g.Sum(d => d.TotalKwh) * 1000m, Docs: g.Count()));
        var fresh = new Dictionary<(string, LocalDate), (decimal Wh, decimal Cost)>();
        foreach (var ((key, date), v) in newDays)
        {
            if (legacyOfKey.TryGetValue(key, out var legacy))
            {
                var cur = fresh.GetValueOrDefault((legacy, date));
                fresh[(legacy, date)] = (cur.Wh + v.Wh, cur.Cost + v.Cost);
            }
        }
        var onDay = sessions.GroupBy(s => (s.Device.LegacyDeviceId, calendar.DateOf(s.On))).ToDictionary(g => g.Key, g => g.ToList());

        var lines = new List<ReconciliationLine>();
        foreach (var key in old.Keys.Concat(fresh.Keys).Distinct().OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2))
        {
            var (oldWh, docs) = old.GetValueOrDefault(key);
            var (newWh, newCost) = fresh.GetValueOrDefault(key);
            if (docs == 0 && newWh == 0m)
            {
                continue;
            }
            var board = boards.GetValueOrDefault(key.Item1, key.Item1);
            var tol = Math.Max(0.5m, oldWh / 100m);
            if (Math.Abs(newWh - oldWh) <= tol)
            {
                lines.Add(new ReconciliationLine(key.Item1, board, key.Item2, oldWh, docs, newWh, newCost, ReconciliationLine.Match, ""));
                continue;
            }
            var day = onDay.GetValueOrDefault(key) ?? [];
            var b = day.Sum(Wh);
            var tracked = day.Where(s => s.TrackerRecorded).ToList();
            var c = tracked.Sum(Wh);
            var d = tracked.Sum(s => s.TrackerWh);
            var lost = day.Count - tracked.Count;
            (decimal Value, string Cause)[] steps =
            [
                (b, "midnight split (old credited whole sessions to the ON day)"),
                (c, string.Create(CultureInfo.InvariantCulture, $"sessions the old system lost ({lost} interval(s) without a tracker OFF row)")),
                (d, "duplicate rows (old tracker OFF rows counted per row)"),
            ];
            var causes = new List<string>();
            var previous = newWh;
            string? verdict = null;
            foreach (var (value, cause) in steps)
            {
                if (Math.Abs(value - previous) > 0.000001m)
                {
                    causes.Add(cause);
                }
                previous = value;
                if (Math.Abs(value - oldWh) <= tol && causes.Count > 0)
                {
                    verdict = ReconciliationLine.Explained;
                    break;
                }
            }
            var text = verdict is null
                ? string.Create(CultureInfo.InvariantCulture, $"no old-system model reproduces it (on-day {b:0.###} Wh, tracked {c:0.###} Wh, tracker rows {d:0.###} Wh)")
                : string.Join("; ", causes);
            lines.Add(new ReconciliationLine(key.Item1, board, key.Item2, oldWh, docs, newWh, newCost, verdict ?? ReconciliationLine.Unexplained, text));
        }
        return lines;
    }

    private static decimal Wh(LegacySession s) => s.Watts * (decimal)(s.Off - s.On).TotalSeconds / 3600m;

    public static void Print(IReadOnlyList<ReconciliationLine> lines, string currency, TextWriter w)
    {
        w.WriteLine("Reconciliation per device-day (old = SUM of EnergyConsumption docs for deviceId+year/month/day; new = AutoVolt daily aggregates):");
        foreach (var l in lines)
        {
            var docs = l.OldDocs > 1 ? string.Create(CultureInfo.InvariantCulture, $" ({l.OldDocs} docs summed)") : "";
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {l.Date:yyyy-MM-dd} {l.Board,-24} old {l.OldWh,12:0.000} Wh{docs}  new {l.NewWh,12:0.000} Wh {l.NewCost,10:0.00##} {currency}  {l.Verdict}{(l.Cause.Length > 0 ? ": " + l.Cause : "")}"));
        }
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  days: {lines.Count(l => l.Verdict == ReconciliationLine.Match)} match, {lines.Count(l => l.Verdict == ReconciliationLine.Explained)} differ (explained), {lines.Count(l => l.Verdict == ReconciliationLine.Unexplained)} unexplained; old total {lines.Sum(l => l.OldWh):0.000} Wh, new total {lines.Sum(l => l.NewWh):0.000} Wh, {lines.Sum(l => l.NewCost):0.00##} {currency}"));
    }
}
