using System.Collections.Immutable;
using System.Text.Json;
using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Telemetry;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>
/// A reading synthesised from a legacy interval: at ON, <c>power_w</c> = rated W and <c>switch_state {device_id: true}</c>;
/// at OFF, 0 W and false. Marked <see cref="EntryMarks.Migrated"/> (and <see cref="EntryMarks.Estimated"/> on a reading
/// that closes a missing OFF). Its identity is <see cref="ReadingIdentity"/> over those fields, so a re-run inserts nothing.
/// </summary>
public sealed record SyntheticReading(DeviceMapping Device, Instant Timestamp, decimal PowerW, bool On, EntryMarks Marks,
    ImmutableArray<byte> Hash, byte[] RawPayload)
{
    public static IReadOnlyList<SyntheticReading> From(IEnumerable<LegacySession> sessions)
    {
        var list = new List<SyntheticReading>();
        foreach (var s in sessions)
        {
            var provenance = new Dictionary<string, object>
            {
                ["watts_source"] = LegacySession.Text(s.Source),
                ["close_rule"] = LegacySession.Text(s.Close),
            };
            list.Add(Create(s.Device, s.On, s.Watts, true, EntryMarks.Migrated, s.OnRowIds, provenance));
            var closeMarks = s.Close == CloseRule.OffRow ? EntryMarks.Migrated : EntryMarks.Migrated | EntryMarks.Estimated;
            list.Add(Create(s.Device, s.Off, 0m, false, closeMarks, s.OffRowIds, provenance));
        }
        // Per device in time order; at one instant an OFF goes before an ON (insert order breaks ties in the ledger).
        return list.OrderBy(r => r.Device.DeviceKey, StringComparer.Ordinal).ThenBy(r => r.Timestamp).ThenBy(r => r.On).ToList();
    }

    private static SyntheticReading Create(DeviceMapping d, Instant at, decimal powerW, bool on, EntryMarks marks,
        IReadOnlyList<string> rowIds, Dictionary<string, object> provenance)
    {
        var state = new Dictionary<string, bool> { [d.DeviceId] = on };
        var hash = ReadingIdentity.Compute(d.Esp32Name, d.DeviceId, at, null, null, powerW, state, null, null);
        var raw = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["esp32_name"] = d.Esp32Name,
            ["classroom"] = d.Classroom,
            ["device_id"] = d.DeviceId,
            ["timestamp"] = InstantPattern.ExtendedIso.Format(at),
            ["power_w"] = powerW,
            ["switch_state"] = state,
            ["legacy"] = new Dictionary<string, object>(provenance)
            {
                ["device_id"] = d.LegacyDeviceId,
                ["switch_id"] = d.LegacySwitchId,
                ["activity_ids"] = rowIds,
            },
        });
        return new SyntheticReading(d, at, powerW, on, marks, hash, raw);
    }
}
