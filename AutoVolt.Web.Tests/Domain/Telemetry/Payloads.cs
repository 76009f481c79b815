using System.Text;

namespace AutoVolt.Web.Tests.Domain.Telemetry;

/// <summary>Builds telemetry payloads from raw JSON values, starting from the DESIGN.md example.</summary>
internal static class Payloads
{
    public const string Board = "ESP01";

    /// <summary>Marker for <see cref="With"/>: remove the key.</summary>
    public const string Remove = "<remove>";

    /// <summary>The DESIGN.md section 2 example, key → raw JSON value, in document order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Example { get; } =
    [
        new("esp32_name", "\"ESP01\""),
        new("classroom", "\"CR-101\""),
        new("device_id", "\"light_1\""),
        new("timestamp", "\"2025-11-05T06:12:34Z\""),
        new("power_w", "40"),
        new("energy_wh_total", "12345.67"),
        new("switch_state", "{\"sw1\":true,\"sw2\":false}"),
        new("uptime_seconds", "86400"),
        new("status", "\"online\""),
        new("sequence_no", "12345"),
        new("firmware_ver", "\"v2.0.0\""),
        new("wifi_rssi", "-45"),
        new("boot_id", "\"7f3a9c01\""),
    ];

    /// <summary>The example with some keys replaced (raw JSON), added, or removed (<see cref="Remove"/>).</summary>
    public static string With(params (string Key, string Raw)[] changes)
    {
        var fields = Example.ToList();
        foreach (var (key, raw) in changes)
        {
            var index = fields.FindIndex(f => f.Key == key);
            if (raw == Remove)
            {
                if (index >= 0)
                {
                    fields.RemoveAt(index);
                }
            }
            else if (index >= 0)
            {
                fields[index] = new(key, raw);
            }
            else
            {
                fields.Add(new(key, raw));
            }
        }
        return Render(fields);
    }

    public static string Render(IEnumerable<KeyValuePair<string, string>> fields) =>
        "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
