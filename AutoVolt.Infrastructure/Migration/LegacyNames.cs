using System.Globalization;
using System.Text;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>
/// Maps old boards and switches to AutoVolt names. Board: the Device name made topic-safe
/// (<c>^[A-Za-z0-9_.-]{1,64}$</c>: every other character becomes <c>_</c>, runs of <c>_</c> collapse, leading/trailing
/// <c>_</c> are trimmed, so <c>LH_D_28_(MCA_1)</c> → <c>LH_D_28_MCA_1</c>); collisions (case-insensitive) are resolved
/// in ObjectId order: the lowest id keeps the name, the next gets <c>_2</c>, then <c>_3</c>… Device: the switch type
/// and its 1-based index among the device's switches of that type (<c>light_1</c>, <c>fan_2</c>; types outside
/// light/fan/ac/projector/outlet/relay become <c>switch</c>). MAC: lower-case colon form when it has 12 hex digits.
/// </summary>
public static class LegacyNames
{
    private const int MaxLength = 64;
    private static readonly string[] KnownTypes = ["light", "fan", "ac", "projector", "outlet", "relay"];

    public static IReadOnlyList<DeviceMapping> Map(IEnumerable<LegacyDevice> devices)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<DeviceMapping>();
        foreach (var device in devices.OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            var baseName = TopicSafe(device.Name);
            if (baseName.Length == 0)
            {
                baseName = "board_" + device.Id[^Math.Min(6, device.Id.Length)..];
            }
            var name = baseName;
            for (var n = 2; !used.Add(name); n++)
            {
                var suffix = string.Create(CultureInfo.InvariantCulture, $"_{n}");
                name = baseName[..Math.Min(baseName.Length, MaxLength - suffix.Length)] + suffix;
            }
            var perType = new Dictionary<string, int>(StringComparer.Ordinal);
            var mac = NormaliseMac(device.MacAddress);
            foreach (var sw in device.Switches)
            {
                var type = KnownTypes.Contains(sw.Type) ? sw.Type : "switch";
                var index = perType[type] = perType.GetValueOrDefault(type) + 1;
                result.Add(new DeviceMapping(device.Id, sw.Id, device.Name, sw.Name, sw.Type, name,
                    string.Create(CultureInfo.InvariantCulture, $"{type}_{index}"), CollapseSpaces(device.Classroom), mac,
                    sw.PowerRatingW is > 0m ? sw.PowerRatingW : null));
            }
        }
        return result;
    }

    /// <summary>A topic-safe board name (may be empty when nothing usable remains).</summary>
    public static string TopicSafe(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.Trim())
        {
            var ok = c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '-' or '_';
            var ch = ok ? c : '_';
            if (ch == '_' && sb.Length > 0 && sb[^1] == '_')
            {
                continue;
            }
            sb.Append(ch);
        }
        var s = sb.ToString().Trim('_');
        return s.Length > MaxLength ? s[..MaxLength].TrimEnd('_') : s;
    }

    /// <summary>Lower-case colon form (<c>aa:bb:cc:dd:ee:ff</c>) of a MAC written with colons, dashes, dots or no separator; else the trimmed lower-case input.</summary>
    public static string? NormaliseMac(string? mac)
    {
        if (string.IsNullOrWhiteSpace(mac))
        {
            return null;
        }
        var hex = new string(mac.Where(Uri.IsHexDigit).ToArray()).ToLowerInvariant();
        var separatorsOnly = mac.All(c => Uri.IsHexDigit(c) || c is ':' or '-' or '.' or ' ');
        if (hex.Length != 12 || !separatorsOnly)
        {
            return mac.Trim().ToLowerInvariant();
        }
        return string.Join(':', Enumerable.Range(0, 6).Select(i => hex.Substring(i * 2, 2)));
    }

    private static string CollapseSpaces(string text) => string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
