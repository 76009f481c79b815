using System.Text.Json;
using System.Text.Unicode;
using NodaTime;

namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// The top-level fields of a board's JSON object payload, with typed accessors that answer a precise
/// <see cref="Rejection"/> instead of throwing. Absent fields and JSON <c>null</c> read as null.
/// </summary>
internal sealed class PayloadObject : IDisposable
{
    private readonly JsonDocument _document;
    private readonly Dictionary<string, JsonElement> _fields;

    private PayloadObject(JsonDocument document, Dictionary<string, JsonElement> fields)
    {
        _document = document;
        _fields = fields;
    }

    /// <summary>Checks size, UTF-8, JSON syntax, object shape and duplicate keys.</summary>
    public static Rejection? TryOpen(ReadOnlySpan<byte> payload, out PayloadObject? payloadObject)
    {
        payloadObject = null;
        if (EnvelopeProblem(payload) is { } problem)
        {
            return problem;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload.ToArray());
        }
        catch (JsonException ex)
        {
            return new Rejection(
                FormattableString.Invariant($"payload is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})"),
                null);
        }
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            var notObject = new Rejection($"payload must be a JSON object, not {Kind(root)}", null);
            document.Dispose();
            return notObject;
        }
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        try
        {
            foreach (var property in root.EnumerateObject())
            {
                if (!fields.TryAdd(property.Name, property.Value))
                {
                    var duplicate = new Rejection($"duplicate key {TelemetryLimits.Quote(property.Name)}", property.Name);
                    document.Dispose();
                    return duplicate;
                }
            }
        }
        catch (InvalidOperationException)
        {
            document.Dispose();
            return new Rejection(InvalidEscape("a key"), null);
        }
        payloadObject = new PayloadObject(document, fields);
        return null;
    }

    /// <summary>Empty, over <see cref="TelemetryLimits.MaxPayloadBytes"/>, or not UTF-8.</summary>
    public static Rejection? EnvelopeProblem(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return new Rejection("payload is empty", null);
        }
        if (payload.Length > TelemetryLimits.MaxPayloadBytes)
        {
            return new Rejection(
                FormattableString.Invariant($"payload is {payload.Length} bytes, over the {TelemetryLimits.MaxPayloadBytes}-byte limit"),
                null);
        }
        return Utf8.IsValid(payload) ? null : new Rejection("payload is not valid UTF-8", null);
    }

    /// <summary>A required or optional string field.</summary>
    public Rejection? String(string name, out string? value)
    {
        value = null;
        if (!TryGet(name, out var element))
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            return new Rejection($"{name} must be a JSON string, not {Kind(element)}", name);
        }
        try
        {
            value = element.GetString();
        }
        catch (InvalidOperationException)
        {
            return new Rejection(InvalidEscape(name), name);
        }
        return null;
    }

    /// <summary>An optional name field (<see cref="TelemetryLimits.IsValidName"/>).</summary>
    public Rejection? Name(string name, out string? value) =>
        String(name, out value) ?? (value is null ? null : Problem(TelemetryLimits.NameProblem(value, name), name));

    /// <summary>A required name field.</summary>
    public Rejection? RequiredName(string name, out string value)
    {
        var rejection = Name(name, out var text);
        value = text ?? "";
        return rejection ?? (text is null ? new Rejection($"{name} is required", name) : null);
    }

    /// <summary>An optional free-text field (no control characters, bounded length).</summary>
    public Rejection? Text(string name, int maxLength, out string? value) =>
        String(name, out value) ?? Problem(TelemetryLimits.TextProblem(value, name, maxLength), name);

    /// <summary>An optional ISO-8601 timestamp (with 'Z' or offset).</summary>
    public Rejection? Timestamp(string name, out Instant? value)
    {
        value = null;
        if (String(name, out var text) is { } rejection)
        {
            return rejection;
        }
        if (text is null)
        {
            return null;
        }
        if (!TimestampText.TryParse(text, out var instant))
        {
            return new Rejection($"{name} {TelemetryLimits.Quote(text)} is not {TimestampText.Expected}", name);
        }
        value = instant;
        return null;
    }

    /// <summary>An optional number within <paramref name="min"/>..<paramref name="max"/> (inclusive), in <paramref name="unit"/>.</summary>
    public Rejection? Decimal(string name, decimal min, decimal max, string unit, out decimal? value)
    {
        value = null;
        if (!TryGet(name, out var element))
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Number)
        {
            return new Rejection($"{name} must be a JSON number, not {Kind(element)}", name);
        }
        if (!element.TryGetDecimal(out var number))
        {
            return new Rejection($"{name} {Raw(element)} is out of the decimal range", name);
        }
        if (number < min || number > max)
        {
            return new Rejection(
                FormattableString.Invariant($"{name} must be between {min} and {max}{Unit(unit)}, got {Raw(element)}"),
                name);
        }
        value = number;
        return null;
    }

    /// <summary>An optional whole number within <paramref name="min"/>..<paramref name="max"/> (inclusive); <c>1e3</c> and <c>1000.0</c> are whole.</summary>
    public Rejection? Integer(string name, long min, long max, string unit, out long? value)
    {
        value = null;
        if (Decimal(name, decimal.MinValue, decimal.MaxValue, unit, out var number) is { } rejection)
        {
            return rejection;
        }
        if (number is not { } n)
        {
            return null;
        }
        if (!decimal.IsInteger(n))
        {
            return new Rejection($"{name} must be a whole number, got {Raw(_fields[name])}", name);
        }
        if (n < min || n > max)
        {
            return new Rejection(
                FormattableString.Invariant($"{name} must be between {min} and {max}{Unit(unit)}, got {Raw(_fields[name])}"),
                name);
        }
        value = (long)n;
        return null;
    }

    /// <summary>An optional object of booleans with valid, unique keys, at most <see cref="TelemetryLimits.MaxSwitches"/>.</summary>
    public Rejection? Switches(string name, out Dictionary<string, bool>? value)
    {
        value = null;
        if (!TryGet(name, out var element))
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new Rejection($"{name} must be a JSON object of booleans, not {Kind(element)}", name);
        }
        try
        {
            return ReadSwitches(name, element, out value);
        }
        catch (InvalidOperationException)
        {
            return new Rejection(InvalidEscape($"a {name} key"), name);
        }
    }

    private static Rejection? ReadSwitches(string name, JsonElement element, out Dictionary<string, bool>? value)
    {
        value = null;
        var switches = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var field = $"{name}.{property.Name}";
            if (switches.Count == TelemetryLimits.MaxSwitches)
            {
                return new Rejection(
                    FormattableString.Invariant($"{name} has more than {TelemetryLimits.MaxSwitches} keys"),
                    name);
            }
            if (TelemetryLimits.NameProblem(property.Name, $"{name} key") is { } problem)
            {
                return new Rejection(problem, name);
            }
            if (property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return new Rejection($"{field} must be true or false, not {Kind(property.Value)}", field);
            }
            if (!switches.TryAdd(property.Name, property.Value.ValueKind == JsonValueKind.True))
            {
                return new Rejection($"duplicate key {TelemetryLimits.Quote(field)}", field);
            }
        }
        value = switches;
        return null;
    }

    /// <summary>The first rejection of several checks that have all run, or null.</summary>
    public static Rejection? First(params ReadOnlySpan<Rejection?> rejections)
    {
        foreach (var rejection in rejections)
        {
            if (rejection is not null)
            {
                return rejection;
            }
        }
        return null;
    }

    /// <inheritdoc/>
    public void Dispose() => _document.Dispose();

    private static Rejection? Problem(string? problem, string name) => problem is null ? null : new Rejection(problem, name);

    // JSON allows "\ud800" (a lone surrogate) syntactically; it is not text.
    private static string InvalidEscape(string what) => $"{what} contains an invalid \\u escape (unpaired surrogate)";

    private static string Unit(string unit) => unit.Length == 0 ? "" : " " + unit;

    private static string Raw(JsonElement element)
    {
        var raw = element.GetRawText();
        return raw.Length > 40 ? string.Concat(raw.AsSpan(0, 40), "…") : raw;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private bool TryGet(string name, out JsonElement element) =>
        _fields.TryGetValue(name, out element) && element.ValueKind != JsonValueKind.Null;
}
