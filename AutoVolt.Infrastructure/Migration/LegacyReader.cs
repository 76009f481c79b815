using System.Text.Json;
using AutoVolt.Domain.Time;
using NodaTime;
using static AutoVolt.Infrastructure.Migration.ExtendedJson;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>Turns exported documents (any of the three JSON forms) into the migration's models.</summary>
public static class LegacyReader
{
    /// <summary>Counts of what an ActivityLog export held.</summary>
    public sealed class ActivityCounts
    {
        public int Rows { get; set; }
        public int PowerRows { get; set; }
        public int IgnoredActions { get; set; }
        public int Unreadable { get; set; }
        public int Future { get; set; }
    }

    public static async Task<IReadOnlyList<LegacyDevice>> DevicesAsync(string path, CancellationToken ct)
    {
        var list = new List<LegacyDevice>();
        await foreach (var doc in ReadDocumentsAsync(path, ct))
        {
            var id = ObjectId(Get(doc, "_id")) ?? ObjectId(Get(doc, "id"));
            if (id is null)
            {
                continue;
            }
            var switches = new List<LegacySwitch>();
            if (Get(doc, "switches") is { ValueKind: JsonValueKind.Array } arr)
            {
                foreach (var sw in arr.EnumerateArray())
                {
                    var swId = ObjectId(Get(sw, "_id")) ?? ObjectId(Get(sw, "id"));
                    if (swId is null)
                    {
                        continue;
                    }
                    switches.Add(new LegacySwitch(swId, Text(Get(sw, "name")) ?? "", (Text(Get(sw, "type")) ?? "other").Trim().ToLowerInvariant(),
                        Number(Get(sw, "powerRating"))));
                }
            }
            list.Add(new LegacyDevice(id, Text(Get(doc, "name")) ?? id, Text(Get(doc, "macAddress")),
                (Text(Get(doc, "classroom")) ?? "").Trim(), (Text(Get(doc, "location")) ?? "").Trim(), switches));
        }
        return list;
    }

    /// <summary>Power-relevant rows (a target state is known) up to <paramref name="notAfter"/>; other actions and later rows are only counted.</summary>
    public static async Task<IReadOnlyList<LegacyActivity>> ActivitiesAsync(string path, ActivityCounts counts, Instant notAfter, CancellationToken ct)
    {
        var list = new List<LegacyActivity>();
        await foreach (var doc in ReadDocumentsAsync(path, ct))
        {
            counts.Rows++;
            var action = Text(Get(doc, "action")) ?? "";
            var context = Get(doc, "context");
            bool? target = action switch
            {
                "on" or "manual_on" or "bulk_on" => true,
                "off" or "manual_off" or "bulk_off" => false,
                "toggle" or "manual_toggle" => context is { } c ? Flag(Get(c, "newState")) : null,
                _ => null,
            };
            if (target is null)
            {
                counts.IgnoredActions++;
                continue;
            }
            var id = ObjectId(Get(doc, "_id"));
            var deviceId = ObjectId(Get(doc, "deviceId"));
            var ts = Date(Get(doc, "timestamp"));
            if (id is null || deviceId is null || ts is null)
            {
                counts.Unreadable++;
                continue;
            }
            if (ts.Value > notAfter)
            {
                counts.Future++;
                continue;
            }
            counts.PowerRows++;
            list.Add(new LegacyActivity(id, deviceId, ObjectId(Get(doc, "switchId")), Text(Get(doc, "switchName")), action, target.Value, ts.Value,
                Number(Get(doc, "powerConsumption")), Text(Get(doc, "switchType")), Number(Get(doc, "duration")),
                context is { } ctx ? Number(Get(ctx, "energyKwh")) : null, context is { } ctx2 ? Number(Get(ctx2, "cost")) : null,
                !target.Value && context is { } ctx3 && Text(Get(ctx3, "reason")) == "device_offline"));
        }
        return list;
    }

    /// <summary>EnergyConsumption documents; the day is the IST calendar day of the year/month/day fields, never <c>date</c>.</summary>
    public static async Task<IReadOnlyList<LegacyEnergyDay>> EnergyDaysAsync(string path, SiteCalendar calendar, CancellationToken ct)
    {
        var list = new List<LegacyEnergyDay>();
        await foreach (var doc in ReadDocumentsAsync(path, ct))
        {
            var id = ObjectId(Get(doc, "_id")) ?? "";
            var deviceId = ObjectId(Get(doc, "deviceId"));
            if (deviceId is null)
            {
                continue;
            }
            LocalDate date;
            if (Number(Get(doc, "year")) is { } y && Number(Get(doc, "month")) is { } m && Number(Get(doc, "day")) is { } d
                && y is >= 1970 and <= 9999 && m is >= 1 and <= 12 && d >= 1 && d <= CalendarSystem.Iso.GetDaysInMonth((int)y, (int)m))
            {
                date = new LocalDate((int)y, (int)m, (int)d);
            }
            else if (Date(Get(doc, "date")) is { } at)
            {
                // Fallback only: `date` is server-local (IST) midnight, so read it in the site zone, never as UTC.
                date = calendar.DateOf(at);
            }
            else
            {
                continue;
            }
            list.Add(new LegacyEnergyDay(id, deviceId, Text(Get(doc, "deviceName")) ?? "", date,
                Number(Get(doc, "totalEnergyKwh")) ?? 0m, Number(Get(doc, "electricityRate"))));
        }
        return list;
    }

    /// <summary>powerSettings.json (<c>deviceTypes[]</c>, <c>electricityPrice</c>) or an export of the PowerSettings singleton.</summary>
    public static async Task<LegacyPowerSettings> PowerSettingsAsync(string path, CancellationToken ct)
    {
        var watts = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
        decimal? price = null;
        await foreach (var doc in ReadDocumentsAsync(path, ct))
        {
            if (Get(doc, "deviceTypes") is { ValueKind: JsonValueKind.Array } types)
            {
                foreach (var t in types.EnumerateArray())
                {
                    if (Text(Get(t, "type")) is { } type && (Number(Get(t, "powerConsumption")) ?? Number(Get(t, "power"))) is { } w)
                    {
                        watts[type.Trim()] = w;
                    }
                }
            }
            foreach (var prop in doc.EnumerateObject())
            {
                if (prop.Name is "light" or "fan" or "ac" or "projector" or "outlet" or "relay" or "default" && Number(prop.Value) is { } w)
                {
                    watts.TryAdd(prop.Name, w);
                }
            }
            price ??= Number(Get(doc, "electricityPrice")) ?? Number(Get(doc, "electricityRate")) ?? Number(Get(doc, "pricePerKwh"));
        }
        return new LegacyPowerSettings(watts, price);
    }
}
