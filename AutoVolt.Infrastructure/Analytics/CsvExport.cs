using System.Globalization;
using System.Text;
using AutoVolt.Infrastructure.Database;
using Npgsql;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Infrastructure.Analytics;

/// <summary>
/// Streams one CSV row per device-day of <c>daily_aggregates</c> (RFC 4180, UTF-8, invariant culture). Rows are read
/// with a sequential data reader and written as they come, so a year of a large fleet is never held in memory.
/// </summary>
/// <remarks>
/// Text cells starting with <c>= + - @</c>, a tab or a carriage return are prefixed with <c>'</c> so spreadsheets do not
/// evaluate them (CSV injection); numeric cells are written as plain invariant numbers. <c>cost_version_ids</c> and
/// <c>rates_per_kwh</c> list (space-separated) the versions and rates of the day's live postings; <c>flags</c> is
/// <c>name=count</c> pairs separated by <c>;</c>.
/// </remarks>
public sealed class CsvExport(AutoVoltDatabase db)
{
    public static readonly string[] Headers =
    [
        "local_date", "classroom", "esp32_name", "device_id", "device_key", "energy_wh", "cost", "currency", "cost_version_ids", "rates_per_kwh",
        "on_time_sec", "energy_high_wh", "energy_medium_wh", "energy_low_wh", "held_energy_wh", "flags",
    ];

    // Versions/rates of the range's live postings are grouped once (one pass over the range's ledger rows), then joined.
    private const string Sql = """
        WITH v AS (
            SELECT le.device_key, le.local_date, string_agg(DISTINCT le.cost_version_id::text, ' ') AS versions,
                   string_agg(DISTINCT le.rate_per_kwh::text, ' ') AS rates
            FROM ledger_entries le
            WHERE le.local_date >= @start AND le.local_date <= @end AND le.kind = 'posting'
              AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.kind = 'reversal' AND r.reverses_id = le.id)
            GROUP BY le.device_key, le.local_date)
        SELECT da.local_date, da.classroom, coalesce(d.esp32_name, split_part(da.device_key, '/', 1)) AS esp32_name,
               coalesce(d.device_id, substr(da.device_key, length(split_part(da.device_key, '/', 1)) + 2)) AS device_id, da.device_key,
               da.energy_wh, da.cost, da.currency, v.versions, v.rates,
               da.on_time_sec, da.energy_high_wh, da.energy_medium_wh, da.energy_low_wh, da.held_energy_wh, da.flag_counts::text
        FROM daily_aggregates da
        LEFT JOIN devices d ON d.device_key = da.device_key
        LEFT JOIN v ON v.device_key = da.device_key AND v.local_date = da.local_date
        WHERE da.local_date >= @start AND da.local_date <= @end AND (@classroom::text IS NULL OR da.classroom = @classroom)
        ORDER BY da.local_date, da.classroom, da.device_key
        """;

    /// <summary>Writes the header and the rows of local dates <paramref name="start"/>..<paramref name="end"/> to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is reversed or longer than <see cref="AnalyticsQueries.MaxRangeDays"/>.</exception>
    public async Task<int> WriteAsync(Stream output, string? classroom, LocalDate start, LocalDate end, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        AnalyticsQueries.CheckRange(start, end, AnalyticsQueries.MaxRangeDays);
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(string.Join(',', Headers).AsMemory(), ct);
        await using var conn = await db.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(Sql, conn);
        cmd.Parameters.AddWithValue("start", start);
        cmd.Parameters.AddWithValue("end", end);
        cmd.Parameters.AddWithValue("classroom", NpgsqlTypes.NpgsqlDbType.Text, (object?)classroom ?? DBNull.Value);
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        int rows = 0;
        var line = new StringBuilder(256);
        while (await reader.ReadAsync(ct))
        {
            line.Clear();
            line.Append(LocalDatePattern.Iso.Format(reader.GetFieldValue<LocalDate>(0))).Append(',');
            line.Append(Text(reader.GetString(1))).Append(',');
            line.Append(Text(reader.GetString(2))).Append(',');
            line.Append(Text(reader.GetString(3))).Append(',');
            line.Append(Text(reader.GetString(4))).Append(',');
            line.Append(Number(reader.GetDecimal(5))).Append(',');
            line.Append(Number(reader.GetDecimal(6))).Append(',');
            line.Append(Text(reader.GetString(7))).Append(',');
            line.Append(Text(await reader.IsDBNullAsync(8, ct) ? "" : reader.GetString(8))).Append(',');
            line.Append(Text(await reader.IsDBNullAsync(9, ct) ? "" : reader.GetString(9))).Append(',');
            for (int i = 10; i <= 14; i++)
            {
                line.Append(Number(reader.GetDecimal(i))).Append(',');
            }
            line.Append(Text(string.Join(';', AnalyticsQueries.ParseFlags(reader.GetString(15)).Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key}={f.Value}")))));
            await writer.WriteLineAsync(line, ct);
            rows++;
            if (rows % 1000 == 0)
            {
                await writer.FlushAsync(ct);
            }
        }
        await writer.FlushAsync(ct);
        return rows;
    }

    /// <summary>A text cell: formula-like starts neutralised with <c>'</c>, quoted when it holds a comma, quote, CR or LF.</summary>
    public static string Text(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
