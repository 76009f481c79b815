using System.Diagnostics;
using System.Globalization;
using AutoVolt.Bench;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ingestion;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Usage: AutoVolt.Bench.Ingestion [messages=20000] [boards=20] [inflight-per-board=100] [--embedded-only]
// End-to-end ingestion throughput (published QoS 1 → stored in telemetry_events and acknowledged) for the embedded path
// (MQTTnet broker + ingestion inside the publish interception) and the external path (mosquitto + MqttIngestionWorker),
// next to the ceilings of the same run: each broker alone (same publishers, a subscriber that only counts) and a raw binary
// COPY of the same rows. Server: AUTOVOLT_BENCH_PG (a server connection string), else a throw-away embedded cluster.
var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var boards = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var inflight = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100;
var embeddedOnly = args.Contains("--embedded-only");
var workload = Workload.Create(messages, boards);

var root = Path.Combine(Path.GetTempPath(), "autovolt-bench-ingest-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
EmbeddedPostgres? embedded = null;
var server = Environment.GetEnvironmentVariable("AUTOVOLT_BENCH_PG");
if (string.IsNullOrWhiteSpace(server))
{
    embedded = EmbeddedPostgres.Start(root, NullLogger.Instance);
    server = embedded.ServerConnectionString;
}
var results = new List<(string Name, double Seconds)>();
var cpu = new Dictionary<string, (double Process, double Postgres)>();
var clusterRoot = embedded is null ? null : root;
(double Process, double Postgres) Since((double Process, double Postgres) start)
{
    var now = Cpu.Sample(clusterRoot);
    return (now.Process - start.Process, now.Postgres - start.Postgres);
}
try
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"messages={messages} boards={boards} inflight/board={inflight} payload≈{workload.AveragePayloadBytes:F0} B cpus={Environment.ProcessorCount} MaxBatch={IngestionPipeline.MaxBatch}"));

    // Ceiling 1: raw binary COPY of the same rows.
    {
        var cs = await Databases.CreateAsync(server);
        var cpu0 = Cpu.Sample(clusterRoot);
        var sw = Stopwatch.StartNew();
        await Copy.RowsAsync(cs, workload);
        sw.Stop();
        cpu["COPY same rows (ceiling)"] = Since(cpu0);
        await Databases.AssertCountAsync(cs, messages);
        results.Add(("COPY same rows (ceiling)", sw.Elapsed.TotalSeconds));
    }

    // Ceiling 2: embedded MQTTnet broker alone: publish + PUBACK, no subscriber.
    {
        var port = Ports.Free();
        await using var broker = new EmbeddedBroker(Options.Create(new MqttOptions { ListenPort = port }), NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync(CancellationToken.None);
        var cpu0 = Cpu.Sample(clusterRoot);
        var sw = Stopwatch.StartNew();
        await Publishers.RunAsync(port, workload, inflight);
        sw.Stop();
        cpu["embedded broker alone, PUBACK only"] = Since(cpu0);
        results.Add(("embedded broker alone, PUBACK only", sw.Elapsed.TotalSeconds));
        // No counting-subscriber variant here: MQTTnet's server drops the oldest queued messages beyond 1000 per client,
        // so a slow subscriber never sees all M; the embedded path has no subscriber anyway (it stores in the interception).
        await broker.StopAsync(CancellationToken.None);
    }

    // (a) Embedded path: the PUBACK means "committed".
    {
        var cs = await Databases.CreateAsync(server);
        await using var db = new AutoVoltDatabase(cs);
        var pipeline = new IngestionPipeline(new IngestionBatchWriter(db), Options.Create(new LedgerOptions { SettleSeconds = 3600 }), NullLogger<IngestionPipeline>.Instance);
        var port = Ports.Free();
        await using var broker = new EmbeddedBroker(Options.Create(new MqttOptions { ListenPort = port }), NullLogger<EmbeddedBroker>.Instance);
        var ingestion = new EmbeddedIngestion(broker, pipeline, NodaTime.SystemClock.Instance, NullLogger<EmbeddedIngestion>.Instance);
        await pipeline.StartAsync(CancellationToken.None);
        await broker.StartAsync(CancellationToken.None);
        await ingestion.StartAsync(CancellationToken.None);
        var cpu0 = Cpu.Sample(clusterRoot);
        var sw = Stopwatch.StartNew();
        await Publishers.RunAsync(port, workload, inflight);
        sw.Stop();
        cpu["(a) embedded: stored + PUBACK"] = Since(cpu0);
        await Databases.AssertCountAsync(cs, messages);
        results.Add(("(a) embedded: stored + PUBACK", sw.Elapsed.TotalSeconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    embedded batches: average {pipeline.AverageBatchSize:F1} msgs, commit {pipeline.AverageCommitMs:F1} ms average"));
        await ingestion.StopAsync(CancellationToken.None);
        await broker.StopAsync(CancellationToken.None);
        await pipeline.StopAsync(CancellationToken.None);
    }

    // Ceiling 3 and (b): mosquitto alone with a counting subscriber, then mosquitto + MqttIngestionWorker.
    if (!embeddedOnly)
    {
        await using var mosquitto = await Mosquitto.StartAsync();
        var sw = Stopwatch.StartNew();
        await Publishers.RunAsync(mosquitto.Port, workload, inflight);
        sw.Stop();
        results.Add(("mosquitto alone, PUBACK only", sw.Elapsed.TotalSeconds));
        results.Add(("mosquitto alone + counting subscriber", await Publishers.WithCountingSubscriberAsync(mosquitto.Port, workload, inflight)));

        var cs = await Databases.CreateAsync(server);
        await using var db = new AutoVoltDatabase(cs);
        var pipeline = new IngestionPipeline(new IngestionBatchWriter(db), Options.Create(new LedgerOptions { SettleSeconds = 3600 }), NullLogger<IngestionPipeline>.Instance);
        var worker = new MqttIngestionWorker(Options.Create(new MqttOptions
        {
            Broker = string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{mosquitto.Port}"),
            ClientId = "bench-ingest",
        }), pipeline, NodaTime.SystemClock.Instance, NullLogger<MqttIngestionWorker>.Instance);
        await pipeline.StartAsync(CancellationToken.None);
        await worker.StartAsync(CancellationToken.None);
        while (!worker.Connected)
        {
            await Task.Delay(20);
        }
        await Task.Delay(300); // subscribed
        var e2e = Stopwatch.StartNew();
        await Publishers.RunAsync(mosquitto.Port, workload, inflight);
        while (pipeline.Stored < messages)
        {
            await Task.Delay(5);
        }
        e2e.Stop();
        await Databases.AssertCountAsync(cs, messages);
        results.Add(("(b) external: mosquitto + worker, stored", e2e.Elapsed.TotalSeconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    external batches: average {pipeline.AverageBatchSize:F1} msgs, commit {pipeline.AverageCommitMs:F1} ms average"));
        await worker.StopAsync(CancellationToken.None);
        await pipeline.StopAsync(CancellationToken.None);
    }

    double Rate(double seconds) => messages / seconds;
    var copyRate = Rate(results[0].Seconds);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"path",-46}{"seconds",9}{"msg/s",10}{"x COPY",9}"));
    foreach (var (name, seconds) in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-46}{seconds,9:F2}{Rate(seconds),10:F0}{Rate(seconds) / copyRate,9:F3}"));
    }
    foreach (var (name, seconds) in results)
    {
        if (cpu.TryGetValue(name, out var c))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    cpu {name}: bench process {c.Process:F2} s + postgres {c.Postgres:F2} s = {(c.Process + c.Postgres) * 1000 / messages * 1000:F0} µs/msg, {(c.Process + c.Postgres) / seconds:F2} cores busy"));
        }
    }
    double Find(string prefix) => Rate(results.First(r => r.Name.StartsWith(prefix, StringComparison.Ordinal)).Seconds);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"embedded path / embedded broker alone (PUBACK only) = {Find("(a)") / Find("embedded broker alone, PUBACK"):F3}"));
    if (!embeddedOnly)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"external path / mosquitto alone + counting subscriber = {Find("(b)") / Find("mosquitto alone +"):F3}"));
    }
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
