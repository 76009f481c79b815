using System.Collections.Immutable;
using System.Globalization;
using AutoVolt.Domain.Telemetry;
using CsCheck;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Web.Tests.Domain.Telemetry;

/// <summary>The hashed fields of a reading, a CsCheck generator for them, and JSON renderings that vary only in form.</summary>
internal sealed record ReadingFields(
    string EspName,
    string DeviceId,
    Instant Timestamp,
    long? SequenceNo,
    decimal? EnergyWhTotal,
    decimal? PowerW,
    IReadOnlyDictionary<string, bool>? Switches,
    string? BootId,
    long? UptimeSeconds)
{
    public ImmutableArray<byte> Identity() =>
        ReadingIdentity.Compute(EspName, DeviceId, Timestamp, SequenceNo, EnergyWhTotal, PowerW, Switches, BootId, UptimeSeconds);

    public override string ToString() =>
        $"{EspName}/{DeviceId} t={Timestamp} seq={SequenceNo} e={EnergyWhTotal} p={PowerW} sw=[{(Switches is null ? "null" : string.Join(",", Switches.Select(s => $"{s.Key}:{s.Value}")))}] boot={BootId} up={UptimeSeconds}";

    private static Gen<decimal> Scaled(long max) =>
        Gen.Select(Gen.Long[0, max], Gen.Int[0, 4], (units, scale) => new decimal(units) / (decimal)Math.Pow(10, scale));

    private static readonly Gen<Instant> Timestamps =
        Gen.Select(
            Gen.Long[1_577_836_800, 1_893_456_000], // 2020-01-01 .. 2030-01-01
            Gen.Frequency((3, Gen.Const(0L)), (1, Gen.Long[0, 999_999_999]), (1, Gen.Long[0, 999].Select(ms => ms * 1_000_000))),
            (seconds, nanos) => Instant.FromUnixTimeSeconds(seconds).PlusNanoseconds(nanos));

    private static readonly Gen<IReadOnlyDictionary<string, bool>?> SwitchStates =
        Gen.Null(
            Gen.Select(Gen.Shuffle(new[] { "sw1", "sw2", "sw3", "light", "fan.2", "AC-1" }), Gen.Int[0, 6], Gen.Bool.Array[6], (keys, count, values) =>
                (IReadOnlyDictionary<string, bool>)keys.Take(count).Select((k, i) => (k, v: values[i])).ToDictionary(p => p.k, p => p.v, StringComparer.Ordinal)),
            0.25);

    public static Gen<ReadingFields> Generator { get; } =
        Gen.Select(
            Gen.OneOf("light_1", "fan_2", "ac.3", "proj-4"),
            Timestamps,
            Gen.Nullable(Gen.Long[0, long.MaxValue], 0.2),
            Gen.Nullable(Scaled(1_000_000_000_000), 0.3),
            Gen.Nullable(Scaled(100_000), 0.3),
            SwitchStates,
            Gen.Null(Gen.OneOf("7f3a9c01", "b2", "boot-3"), 0.3),
            Gen.Nullable(Gen.Long[0, TelemetryLimits.MaxUptimeSeconds], 0.2),
            (device, timestamp, seq, energy, power, switches, boot, uptime) =>
                new ReadingFields("ESP01", device, timestamp, seq, energy, power, switches, boot, uptime))
        .Where(f => f.PowerW is not null || f.EnergyWhTotal is not null);

    /// <summary>
    /// The fields as a telemetry payload whose form is chosen by <paramref name="style"/>: key order,
    /// whitespace, number spelling, timestamp offset and fraction digits; plus fields that are not hashed.
    /// </summary>
    public string ToJson(int style)
    {
        var random = new Random(style);
        var fields = new List<KeyValuePair<string, string>>
        {
            new("esp32_name", "\"" + EspName + "\""),
            new("device_id", "\"" + DeviceId + "\""),
            new("timestamp", "\"" + FormatTimestamp(Timestamp, random) + "\""),
            new("classroom", random.Next(2) == 0 ? "\"CR-101\"" : "\"CR-202\""),
            new("firmware_ver", "\"v2.0." + random.Next(9).ToString(CultureInfo.InvariantCulture) + "\""),
            new("wifi_rssi", (-random.Next(128)).ToString(CultureInfo.InvariantCulture)),
        };
        if (SequenceNo is { } seq)
        {
            fields.Add(new("sequence_no", FormatInteger(seq, random)));
        }
        if (EnergyWhTotal is { } e)
        {
            fields.Add(new("energy_wh_total", FormatDecimal(e, random)));
        }
        if (PowerW is { } p)
        {
            fields.Add(new("power_w", FormatDecimal(p, random)));
        }
        if (Switches is not null)
        {
            var switches = Switches.OrderBy(_ => random.Next()).Select(s => $"\"{s.Key}\"{Space(random)}:{Space(random)}{(s.Value ? "true" : "false")}");
            fields.Add(new("switch_state", "{" + string.Join("," + Space(random), switches) + "}"));
        }
        if (BootId is not null)
        {
            fields.Add(new("boot_id", "\"" + BootId + "\""));
        }
        if (UptimeSeconds is { } up)
        {
            fields.Add(new("uptime_seconds", FormatInteger(up, random)));
        }
        var ordered = fields.OrderBy(_ => random.Next()).Select(f => $"{Space(random)}\"{f.Key}\"{Space(random)}:{Space(random)}{f.Value}{Space(random)}");
        return Space(random) + "{" + string.Join(",", ordered) + "}" + Space(random);
    }

    private static string Space(Random random) => random.Next(4) switch
    {
        0 => " ",
        1 => "\n\t ",
        2 => "\r\n",
        _ => "",
    };

    private static readonly Offset[] Offsets = [Offset.Zero, Offset.FromHoursAndMinutes(5, 30), Offset.FromHours(-3), Offset.FromHoursAndMinutes(-9, -30), Offset.FromHours(14)];

    private static string FormatTimestamp(Instant instant, Random random)
    {
        var offset = Offsets[random.Next(Offsets.Length)];
        var odt = instant.WithOffset(offset);
        var pattern = random.Next(3) switch
        {
            0 => OffsetDateTimePattern.ExtendedIso, // 'Z' for zero, trimmed fraction
            1 => OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffffo<+HH:mm>"), // 9 digits
            _ => OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss;FFFFFFFFFo<+HHmm>"),
        };
        return pattern.Format(odt);
    }

    /// <summary>The same decimal value as plain text, with extra trailing zeros, or in exponent form.</summary>
    internal static string FormatDecimal(decimal value, Random random)
    {
        var plain = value.ToString(CultureInfo.InvariantCulture);
        var scale = value.Scale;
        var digits = plain.Replace(".", "", StringComparison.Ordinal).TrimStart('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }
        return random.Next(5) switch
        {
            0 => plain,
            1 => plain.Contains('.', StringComparison.Ordinal) ? plain + "000" : plain + ".0",
            2 => $"{digits}e{(-scale).ToString(CultureInfo.InvariantCulture)}",
            3 => digits == "0" ? "0E+2" : $"{digits}00E-{(scale + 2).ToString(CultureInfo.InvariantCulture)}",
            _ => value.ToString("0.############################", CultureInfo.InvariantCulture),
        };
    }

    private static string FormatInteger(long value, Random random)
    {
        var plain = value.ToString(CultureInfo.InvariantCulture);
        return random.Next(4) switch
        {
            0 => plain,
            1 => plain + ".0",
            2 => plain + "0e-1",
            _ => plain.Length > 1 && plain.EndsWith('0') ? plain[..^1] + "e1" : plain + ".000",
        };
    }
}
