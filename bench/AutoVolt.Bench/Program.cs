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
// Server: AUTOVOLT_BENCH_PG (a server connection string), else a throw-away embedded cluster.
// Figures are printed as ratios to the raw binary COPY rate measured in the same run, so they compare across machines.
var readings = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var devices = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
var perDevice = readings / devices;
readings = perDevice * devices;

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
    var start = Instant.FromUtc(2025, 11, 1, 0, 0);

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

    // Baseline: raw binary COPY of the readings (one per device per minute, 60 W, counter +1 Wh).
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
            var ts = start + Duration.FromMinutes(i);
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
                await writer.WriteAsync(86400L + (60L * i), NpgsqlDbType.Bigint);
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
    var ledger = new LedgerJob(db, clock, Options.Create(new LedgerOptions { SettleSeconds = 0 }), Options.Create(new SiteOptions()), new NoJobs(),
        NullLogger<LedgerJob>.Instance);
    var ledgerTime = Stopwatch.StartNew();
    var appended = await ledger.RunAsync(CancellationToken.None);
    ledgerTime.Stop();

    var aggregation = new AggregationJob(db, clock, new AggregationNotifier());
    var aggTime = Stopwatch.StartNew();
    var days = await aggregation.RunAsync(CancellationToken.None);
    aggTime.Stop();

    var rerun = Stopwatch.StartNew();
    var again = await ledger.RunAsync(CancellationToken.None);
    rerun.Stop();

    double Rate(int n, Stopwatch sw) => n / sw.Elapsed.TotalSeconds;
    var baseline = Rate(readings, copy);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"readings={readings} devices={devices} cpus={Environment.ProcessorCount}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"step",-28}{"seconds",10}{"items/s",14}{"x COPY",10}"));
    void Row(string name, int items, Stopwatch sw) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-28}{sw.Elapsed.TotalSeconds,10:F2}{Rate(items, sw),14:F0}{Rate(items, sw) / baseline,10:F3}"));
    Row("COPY telemetry_events", readings, copy);
    Row("LedgerJob.RunAsync (readings)", readings, ledgerTime);
    Row("AggregationJob (ledger rows)", appended, aggTime);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"device-days aggregated={days}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ledger rows appended={appended}; second LedgerJob run appended={again} in {rerun.Elapsed.TotalSeconds:F2}s"));
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
