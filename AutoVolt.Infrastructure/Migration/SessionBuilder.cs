using AutoVolt.Domain.Time;
using NodaTime;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>
/// De-duplicates ActivityLog rows and rebuilds ON intervals per switch.
/// </summary>
/// <remarks>
/// <para><b>Dedup.</b> Rows of one switch are taken in (timestamp, _id) order. A row whose target state (on/manual_on/
/// bulk_on → ON, off/manual_off/bulk_off → OFF, toggle with <c>context.newState</c>) equals that of the current
/// event and lies within <see cref="DedupWindow"/> of the event's first row is the same physical toggle (web
/// controller, tracker, esp32/state handler and switch_event handler each wrote one): it is merged into that event.</para>
/// <para><b>Offline stops.</b> An OFF row the old tracker wrote because the board went offline (<c>context.reason =
/// 'device_offline'</c>) is not a relay change: relays and manual switches keep loads powered while a board is offline
/// (DESIGN.md, gap rule), so it neither closes an interval nor counts as a duplicate; it is only counted.</para>
/// <para><b>Intervals.</b> An ON event opens an interval; the next OFF event closes it (even across midnight: the
/// ledger splits it). An OFF with nothing open is redundant and ignored. A missing OFF (another ON first, or no
/// further event) closes the interval at the earlier of the switch's next event and the end of the ON's site day,
/// and the closing reading is flagged estimated.</para>
/// <para><b>Watts of the time.</b> The first positive <c>powerConsumption</c> on the interval's ON rows, else its OFF
/// rows (0 was written while "offline" and is skipped); else the switch's <c>powerRating</c>; else the power-settings
/// table by type; else the old PowerSettings defaults.</para>
/// </remarks>
public static class SessionBuilder
{
    /// <summary>Rows of one switch with the same target state this close to an event's first row are one toggle.</summary>
    public static readonly Duration DedupWindow = Duration.FromSeconds(5);

    private static readonly Dictionary<string, decimal> TypeDefaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["light"] = 40m, ["fan"] = 75m, ["projector"] = 200m, ["ac"] = 1500m, ["outlet"] = 100m, ["relay"] = 50m,
    };

    private const decimal DefaultWatts = 50m;

    /// <summary>What the builder did, for the report.</summary>
    public sealed class Counts
    {
        public int Events { get; set; }
        public int MergedDuplicates { get; set; }
        public int RedundantOff { get; set; }
        public int UnmappedRows { get; set; }
        public int OfflineStops { get; set; }
    }

    public static IReadOnlyList<LegacySession> Build(IReadOnlyList<LegacyActivity> rows, IReadOnlyList<DeviceMapping> mappings,
        LegacyPowerSettings settings, SiteCalendar calendar, Counts counts)
    {
        var bySwitch = mappings.ToDictionary(m => (m.LegacyDeviceId, m.LegacySwitchId));
        var byName = mappings.GroupBy(m => (m.LegacyDeviceId, m.LegacySwitchName.Trim().ToUpperInvariant()))
            .ToDictionary(g => g.Key, g => g.First());
        var groups = new Dictionary<DeviceMapping, List<LegacyActivity>>();
        foreach (var row in rows)
        {
            DeviceMapping? map = null;
            if (row.SwitchId is { } sid && bySwitch.TryGetValue((row.DeviceId, sid), out var m1))
            {
                map = m1;
            }
            else if (row.SwitchName is { } name && byName.TryGetValue((row.DeviceId, name.Trim().ToUpperInvariant()), out var m2))
            {
                map = m2;
            }
            if (map is null)
            {
                counts.UnmappedRows++;
                continue;
            }
            if (!groups.TryGetValue(map, out var list))
            {
                groups[map] = list = [];
            }
            list.Add(row);
        }
        var sessions = new List<LegacySession>();
        foreach (var (map, list) in groups.OrderBy(g => g.Key.DeviceKey, StringComparer.Ordinal))
        {
            sessions.AddRange(BuildSwitch(map, list, settings, calendar, counts));
        }
        return sessions;
    }

    private static List<LegacySession> BuildSwitch(DeviceMapping map, List<LegacyActivity> rows, LegacyPowerSettings settings,
        SiteCalendar calendar, Counts counts)
    {
        var events = new List<List<LegacyActivity>>();
        foreach (var row in rows.OrderBy(r => r.Timestamp).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            if (row.OfflineStop)
            {
                counts.OfflineStops++;
                continue;
            }
            var last = events.Count > 0 ? events[^1] : null;
            if (last is not null && last[0].TargetOn == row.TargetOn && row.Timestamp - last[0].Timestamp <= DedupWindow)
            {
                last.Add(row);
                counts.MergedDuplicates++;
                continue;
            }
            events.Add([row]);
        }
        counts.Events += events.Count;

        var sessions = new List<LegacySession>();
        List<LegacyActivity>? open = null;
        foreach (var ev in events)
        {
            var at = ev[0].Timestamp;
            if (ev[0].TargetOn)
            {
                if (open is not null)
                {
                    sessions.Add(MissingOff(map, open, at, settings, calendar));
                }
                open = ev;
            }
            else if (open is null)
            {
                counts.RedundantOff++;
            }
            else
            {
                sessions.Add(Session(map, open, ev, at, CloseRule.OffRow, settings));
                open = null;
            }
        }
        if (open is not null)
        {
            sessions.Add(MissingOff(map, open, null, settings, calendar));
        }
        return sessions;
    }

    private static LegacySession MissingOff(DeviceMapping map, List<LegacyActivity> on, Instant? next, LegacyPowerSettings settings, SiteCalendar calendar)
    {
        var endOfDay = calendar.EndOf(calendar.DateOf(on[0].Timestamp));
        return next is { } n && n <= endOfDay
            ? Session(map, on, [], n, CloseRule.NextEvent, settings)
            : Session(map, on, [], endOfDay, CloseRule.EndOfDay, settings);
    }

    private static LegacySession Session(DeviceMapping map, List<LegacyActivity> on, List<LegacyActivity> off, Instant offAt, CloseRule rule,
        LegacyPowerSettings settings)
    {
        var (watts, source) = Watts(map, on, off, settings);
        var tracker = off.Where(r => r.IsTrackerOff).ToList();
        return new LegacySession(map, on[0].Timestamp, offAt, watts, source, rule,
            on.Select(r => r.Id).ToList(), off.Select(r => r.Id).ToList(), tracker.Count > 0, tracker.Sum(r => r.TrackerWh));
    }

    private static (decimal, WattsSource) Watts(DeviceMapping map, List<LegacyActivity> on, List<LegacyActivity> off, LegacyPowerSettings settings)
    {
        if (on.Concat(off).Select(r => r.PowerW).FirstOrDefault(w => w is > 0m) is { } recorded)
        {
            return (recorded, WattsSource.Row);
        }
        if (map.PowerRatingW is { } rating)
        {
            return (rating, WattsSource.PowerRating);
        }
        if (settings.WattsByType.TryGetValue(map.SwitchType, out var table) && table > 0m)
        {
            return (table, WattsSource.PowerSettings);
        }
        return (TypeDefaults.GetValueOrDefault(map.SwitchType, DefaultWatts), WattsSource.TypeDefault);
    }
}
