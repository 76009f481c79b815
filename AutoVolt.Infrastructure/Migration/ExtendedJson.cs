using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>
/// Streaming reader of MongoDB exports: a JSON array (<c>mongoexport --jsonArray</c>, the old project's
/// <c>JSON.stringify</c> backups) or newline-delimited documents (plain <c>mongoexport</c>), and value
/// accessors that accept relaxed Extended JSON (<c>{"$oid"}</c>, <c>{"$date":"ISO"}</c>), canonical Extended
/// JSON (<c>{"$date":{"$numberLong":"ms"}}</c>, <c>{"$numberInt"}</c>, <c>{"$numberDouble"}</c>,
/// <c>{"$numberLong"}</c>, <c>{"$numberDecimal"}</c>) and plain JSON (bare 24-hex ids, bare ISO dates).
/// </summary>
public static class ExtendedJson
{
    /// <summary>Documents of an export file, one at a time (the file is never loaded whole).</summary>
    public static async IAsyncEnumerable<JsonElement> ReadDocumentsAsync(string path, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var isArray = await FirstSignificantByteAsync(stream, ct) == (byte)'[';
        stream.Position = 0;
        var items = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(stream, topLevelValues: !isArray, cancellationToken: ct);
        await foreach (var item in items.WithCancellation(ct))
        {
            if (item.ValueKind == JsonValueKind.Object)
            {
                yield return item;
            }
        }
    }

    private static async Task<int> FirstSignificantByteAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var b = buffer[i];
                if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
                {
                    continue; // whitespace or a UTF-8 byte-order mark
                }
                return b;
            }
        }
        return -1;
    }

    /// <summary>A property, or null when absent or JSON null.</summary>
    public static JsonElement? Get(JsonElement doc, string name) =>
        doc.ValueKind == JsonValueKind.Object && doc.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>An ObjectId as lower-case hex: <c>{"$oid":"…"}</c> or a bare string.</summary>
    public static string? ObjectId(JsonElement? value)
    {
        if (value is not { } v)
        {
            return null;
        }
        if (v.ValueKind == JsonValueKind.Object && Get(v, "$oid") is { ValueKind: JsonValueKind.String } oid)
        {
            return oid.GetString()!.Trim().ToLowerInvariant();
        }
        return v.ValueKind == JsonValueKind.String ? v.GetString()!.Trim().ToLowerInvariant() : null;
    }

    /// <summary>A string value (null when absent or not a string).</summary>
    public static string? Text(JsonElement? value) => value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    /// <summary>A boolean value (null when absent or not a boolean).</summary>
    public static bool? Flag(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    /// <summary>A number: bare, <c>$numberInt</c>, <c>$numberLong</c>, <c>$numberDouble</c> or <c>$numberDecimal</c>; null for NaN/Infinity or absent.</summary>
    public static decimal? Number(JsonElement? value)
    {
        if (value is not { } v)
        {
            return null;
        }
        switch (v.ValueKind)
        {
            case JsonValueKind.Number:
                if (v.TryGetDecimal(out var d))
                {
                    return d;
                }
                return v.TryGetDouble(out var dbl) && double.IsFinite(dbl) && Math.Abs(dbl) < 7.9e27 ? (decimal)dbl : null;
            case JsonValueKind.String:
                return ParseDecimal(v.GetString());
            case JsonValueKind.Object:
                foreach (var key in (string[])["$numberInt", "$numberLong", "$numberDouble", "$numberDecimal"])
                {
                    if (Get(v, key) is { } inner)
                    {
                        return inner.ValueKind == JsonValueKind.String ? ParseDecimal(inner.GetString()) : Number(inner);
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static decimal? ParseDecimal(string? text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    /// <summary>
    /// An instant: <c>{"$date":"ISO"}</c>, <c>{"$date":{"$numberLong":"ms"}}</c>, <c>{"$date":ms}</c>, or a bare ISO string
    /// (a string without an offset is read as UTC, as JavaScript's <c>toISOString</c> always writes one).
    /// </summary>
    public static Instant? Date(JsonElement? value)
    {
        if (value is not { } v)
        {
            return null;
        }
        if (v.ValueKind == JsonValueKind.Object && Get(v, "$date") is { } inner)
        {
            if (inner.ValueKind == JsonValueKind.String)
            {
                return ParseIso(inner.GetString()!);
            }
            return Number(inner) is { } ms ? Instant.FromUnixTimeMilliseconds((long)ms) : null;
        }
        return v.ValueKind == JsonValueKind.String ? ParseIso(v.GetString()!) : null;
    }

    private static Instant? ParseIso(string text)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto))
        {
            return Instant.FromDateTimeOffset(dto);
        }
        var parsed = InstantPattern.ExtendedIso.Parse(text);
        return parsed.Success ? parsed.Value : null;
    }
}
