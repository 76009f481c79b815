using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using AutoVolt.Bench;
using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ledger;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

// Usage: AutoVolt.Bench [readings=100000] [devices=100]
//        AutoVolt.Bench --recalc [devices=1000] [days=30] [minutes=15]
// Server: AUTOVOLT_BENCH_PG (a server connection string), else a throw-away embedded cluster.
// Figures are printed as ratios to the raw binary COPY rate measured in the same run, so they compare across machines.
// --recalc: a month (November 2025, site Asia/Kolkata) of readings, one per device every `minutes`, is COPYed, accounted
// and aggregated; then a new global cost version effective from the first local midnight of the month is added and
// RecalculationJob.ApplyAsync re-prices the whole month for every device (every row reversed and posted afresh, then
// aggregation), and is applied a second time (must append nothing).
var recalc = args.Length > 0 && args[0] == "--recalc";
var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
var devices = recalc ? (numbers.Length > 0 ? numbers[0] : 1000) : (numbers.Length > 1 ? numbers[1] : 100);
var days = recalc && numbers.Length > 1 ? numbers[1] : 30;
var minutes = recalc && numbers.Length > 2 ? numbers[2] : 15;
var perDevice = recalc ? (days * 24 * 60 / minutes) + 1 : (numbers.Length > 0 ? numbers[0] : 100_000) / devices;
var readings = perDevice * devices;

var root = Path.Combine(Path.GetTempPath(), "autovolt-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
EmbeddedPostgres? embedded = null;
var server = Environment.GetEnvironmentVariable("AUTOVOLT_BENCH_PG");
if (string.IsNullOrWhiteSpace(server))
{
    embedded = EmbeddedPostgres.Start(root, NullLogger.Instance);
    server = embedded.ServerConnectionString;
}
try
{
    var dbName = "bench_" + Guid.NewGuid().ToString("N")[..12];
    await using (var admin = new NpgsqlConnection(server))
    {
        await admin.OpenAsync();
        await admin.ExecuteAsync($"CREATE DATABASE {dbName}");
    }
    var cs = new NpgsqlConnectionStringBuilder(server) { Database = dbName }.ConnectionString;
    MigrationRunner.Migrate(cs, NullLogger.Instance);
    await using var db = new AutoVoltDatabase(cs);
    // --recalc: from the first local midnight of November 2025 in Asia/Kolkata (UTC+05:30).
    var start = recalc ? Instant.FromUtc(2025, 10, 31, 18, 30) : Instant.FromUtc(2025, 11, 1, 0, 0);
    var step = Duration.FromMinutes(recalc ? minutes : 1);

    await using (var conn = await db.OpenAsync())
    {
        await conn.ExecuteAsync("""
            INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at) SELECT 'B' || i, 'CR', now(), now() FROM generate_series(1, @devices) i;
            INSERT INTO devices (device_key, esp32_name, device_id, classroom, first_seen_at, last_seen_at)
                SELECT 'B' || i || '/load_1', 'B' || i, 'load_1', 'CR', now(), now() FROM generate_series(1, @devices) i;
            INSERT INTO cost_versions (cost_per_kwh, currency, effective_from, effective_at, scope, created_at)
                VALUES (8, 'INR', '2025-01-01T00:00', '2024-12-31T18:30Z', 'global', now());
            """, new { devices });
    }

    // Baseline: raw binary COPY of the readings (one per device per step, 60 W, counter +1 Wh).
    var copy = Stopwatch.StartNew();
    await using (var conn = await db.OpenAsync())
    {
        await using var writer = await conn.BeginBinaryImportAsync("""
            COPY telemetry_events (dedup_hash, device_key, esp32_name, device_id, classroom, board_ts, reading_ts, received_at, power_w,
                energy_wh_total, switch_state, uptime_seconds, sequence_no, boot_id, marks, source, raw_payload) FROM STDIN (FORMAT BINARY)
            """);
        var payload = "{}"u8.ToArray();
        for (var i = 0; i < perDevice; i++)
        {
            var ts = start + (step * i);
            for (var d = 1; d <= devices; d++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(SHA256.HashData(BitConverter.GetBytes(((long)d << 32) | (uint)i)), NpgsqlDbType.Bytea);
                await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"B{d}/load_1"), NpgsqlDbType.Text);
                await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"B{d}"), NpgsqlDbType.Text);
                await writer.WriteAsync("load_1", NpgsqlDbType.Text);
                await writer.WriteAsync("CR", NpgsqlDbType.Text);
                await writer.WriteAsync(ts, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(ts, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(ts, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(60m, NpgsqlDbType.Numeric);
                await writer.WriteAsync(1000m + i, NpgsqlDbType.Numeric);
                await writer.WriteAsync("{\"load_1\": true}", NpgsqlDbType.Jsonb);
                await writer.WriteAsync(86400L + ((long)step.TotalSeconds * i), NpgsqlDbType.Bigint);
                await writer.WriteAsync((long)i, NpgsqlDbType.Bigint);
                await writer.WriteAsync("boot-1", NpgsqlDbType.Text);
                await writer.WriteAsync(0, NpgsqlDbType.Integer);
                await writer.WriteAsync("simulator", NpgsqlDbType.Text);
                await writer.WriteAsync(payload, NpgsqlDbType.Bytea);
            }
        }
        await writer.CompleteAsync();
    }
    copy.Stop();

    var clock = new BenchClock(start + Duration.FromDays(365));
    // --recalc: readings 15 min apart are the normal cadence there, not gaps (MaxGapMinutes 10 by default).
    var ledgerOptions = new LedgerOptions { SettleSeconds = 0, MaxGapMinutes = recalc ? Math.Max(10, minutes + 5) : new LedgerOptions().MaxGapMinutes };
    var ledger = new LedgerJob(db, clock, Options.Create(ledgerOptions), Options.Create(new SiteOptions()), new NoJobs(),
        NullLogger<LedgerJob>.Instance);
    var ledgerTime = Stopwatch.StartNew();
    var appended = await ledger.RunAsync(CancellationToken.None);
    ledgerTime.Stop();

    var aggregation = new AggregationJob(db, Options.Create(new SiteOptions()), clock, new AggregationNotifier());
    var aggTime = Stopwatch.StartNew();
    var deviceDays = await aggregation.RunAsync(CancellationToken.None);
    aggTime.Stop();

    var rerun = Stopwatch.StartNew();
    var again = await ledger.RunAsync(CancellationToken.None);
    rerun.Stop();

    double Rate(int n, Stopwatch sw) => n / sw.Elapsed.TotalSeconds;
    var baseline = Rate(readings, copy);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"readings={readings} devices={devices} cpus={Environment.ProcessorCount}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"step",-40}{"seconds",10}{"items/s",14}{"x COPY",10}"));
    void Row(string name, int items, Stopwatch sw) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40}{sw.Elapsed.TotalSeconds,10:F2}{Rate(items, sw),14:F0}{Rate(items, sw) / baseline,10:F3}"));
    Row("COPY telemetry_events", readings, copy);
    Row("LedgerJob.RunAsync (readings)", readings, ledgerTime);
    Row("AggregationJob (ledger rows)", appended, aggTime);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"device-days aggregated={deviceDays}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ledger rows appended={appended}; second LedgerJob run appended={again} in {rerun.Elapsed.TotalSeconds:F2}s"));
    if (!recalc)
    {
        return 0;
    }

    await using (var conn = await db.OpenAsync())
    {
        await conn.ExecuteAsync("""
            INSERT INTO cost_versions (cost_per_kwh, currency, effective_from, effective_at, scope, created_at)
            VALUES (10, 'INR', '2025-11-01T00:00', '2025-10-31T18:30Z', 'global', now())
            """);
    }
    var recalculation = new RecalculationJob(db, clock, aggregation, Options.Create(new SiteOptions()));
    var last = new NodaTime.LocalDate(2025, 11, 1).PlusDays(days - 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    var apply = Stopwatch.StartNew();
    var repriced = await recalculation.ApplyAsync("2025-11-01", last, "all", null, CancellationToken.None);
    apply.Stop();
    var apply2 = Stopwatch.StartNew();
    var repricedAgain = await recalculation.ApplyAsync("2025-11-01", last, "all", null, CancellationToken.None);
    apply2.Stop();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"recalculation 2025-11-01..{last}, {devices} devices, a reading every {minutes} min ({perDevice} per device, {readings} in all; {appended} live rows):"));
    Row("RecalculationJob.ApplyAsync (live rows)", appended, apply);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"rows appended={repriced} ({repriced / apply.Elapsed.TotalSeconds:F0} rows/s); second apply appended={repricedAgain} in {apply2.Elapsed.TotalSeconds:F2}s"));
    return 0;
}
finally
{
    embedded?.Stop();
    if (embedded is not null)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
