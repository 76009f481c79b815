using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AutoVolt.Domain.Telemetry;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ingestion;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace AutoVolt.Bench;

/// <summary>M DESIGN.md telemetry payloads from K boards (one device each, 10 s apart).</summary>
internal sealed class Workload
{
    private Workload(IReadOnlyList<IReadOnlyList<(string Topic, byte[] Payload)>> perBoard, int count)
    {
        PerBoard = perBoard;
        Count = count;
    }

    public IReadOnlyList<IReadOnlyList<(string Topic, byte[] Payload)>> PerBoard { get; }

    public int Count { get; }

    public double AveragePayloadBytes => PerBoard.SelectMany(b => b).Average(m => m.Payload.Length);

    public IEnumerable<(string Topic, byte[] Payload)> All => PerBoard.SelectMany(b => b);

    public static Workload Create(int messages, int boards)
    {
        var t0 = new DateTimeOffset(2025, 11, 5, 6, 0, 0, TimeSpan.Zero);
        var perBoard = Enumerable.Range(0, boards).Select(_ => new List<(string, byte[])>()).ToList();
        for (var i = 0; i < messages; i++)
        {
            var b = i % boards;
            var seq = i / boards;
            var name = string.Create(CultureInfo.InvariantCulture, $"ESP{b:D3}");
            var ts = t0.AddSeconds(seq * 10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var payload = string.Create(CultureInfo.InvariantCulture,
                $"{{\"esp32_name\":\"{name}\",\"classroom\":\"CR-101\",\"device_id\":\"light_1\",\"timestamp\":\"{ts}\",\"power_w\":40,\"energy_wh_total\":{12345.67m + (seq * 0.11m)},\"switch_state\":{{\"sw1\":true,\"sw2\":false}},\"uptime_seconds\":{86400 + (seq * 10)},\"status\":\"online\",\"sequence_no\":{seq},\"firmware_ver\":\"v2.0.0\",\"wifi_rssi\":-45,\"boot_id\":\"7f3a9c2e-boot\"}}");
            perBoard[b].Add(($"autovolt/{name}/telemetry", Encoding.UTF8.GetBytes(payload)));
        }
        return new Workload(perBoard, messages);
    }
}

internal static class Ports
{
    public static int Free()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

internal static class Databases
{
    public static async Task<string> CreateAsync(string server)
    {
        var name = "bench_ingest_" + Guid.NewGuid().ToString("N")[..10];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync("CREATE DATABASE " + name);
        }
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        MigrationRunner.Migrate(cs, NullLogger.Instance);
        return cs;
    }

    public static async Task AssertCountAsync(string cs, int expected)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        var n = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry_events");
        if (n != expected)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"expected {expected} rows, found {n}"));
        }
    }
}

/// <summary>The rows ingestion would write, by binary COPY in one transaction.</summary>
internal static class Copy
{
    public static async Task RowsAsync(string cs, Workload workload)
    {
        var now = SystemClock.Instance.GetCurrentInstant();
        var rules = new ClockRules { SettleWindow = Duration.FromHours(1) };
        var readings = workload.All
            .Select(m => (ClassifiedMessage.Reading)ClassifiedMessage.Classify(new IncomingMessage(m.Topic, m.Payload, now), rules))
            .ToList();
        await using var db = new AutoVoltDatabase(cs); // NodaTime mapping, as ingestion uses
        await using var conn = await db.OpenAsync();
        await using var writer = await conn.BeginBinaryImportAsync("""
            COPY telemetry_events (dedup_hash, device_key, esp32_name, device_id, classroom, board_ts, reading_ts, received_at, power_w,
                energy_wh_total, switch_state, switch_key, uptime_seconds, status, sequence_no, firmware_ver, wifi_rssi, boot_id, marks, source,
                raw_payload) FROM STDIN (FORMAT BINARY)
            """);
        foreach (var r in readings)
        {
            var v = r.Value;
            await writer.StartRowAsync();
            await writer.WriteAsync(v.DedupHash.ToArray(), NpgsqlDbType.Bytea);
            await writer.WriteAsync(v.DeviceKey, NpgsqlDbType.Text);
            await writer.WriteAsync(v.EspName, NpgsqlDbType.Text);
            await writer.WriteAsync(v.DeviceId, NpgsqlDbType.Text);
            await writer.WriteAsync(v.Classroom ?? "", NpgsqlDbType.Text);
            await writer.WriteAsync(v.BoardTimestamp, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(v.Timestamp, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(v.ReceivedAt, NpgsqlDbType.TimestampTz);
            await WriteOrNull(writer, v.PowerW, NpgsqlDbType.Numeric);
            await WriteOrNull(writer, v.EnergyWhTotal, NpgsqlDbType.Numeric);
            await WriteOrNull(writer, v.SwitchState is null ? null : JsonSerializer.Serialize(v.SwitchState), NpgsqlDbType.Jsonb);
            await WriteOrNull(writer, v.SwitchKey, NpgsqlDbType.Text);
            await WriteOrNull(writer, v.UptimeSeconds, NpgsqlDbType.Bigint);
            await WriteOrNull(writer, v.Status, NpgsqlDbType.Text);
            await WriteOrNull(writer, v.SequenceNo, NpgsqlDbType.Bigint);
            await WriteOrNull(writer, v.FirmwareVer, NpgsqlDbType.Text);
            await WriteOrNull(writer, v.WifiRssi, NpgsqlDbType.Integer);
            await WriteOrNull(writer, v.BootId, NpgsqlDbType.Text);
            await writer.WriteAsync((int)v.Marks, NpgsqlDbType.Integer);
            await writer.WriteAsync("mqtt", NpgsqlDbType.Text);
            await writer.WriteAsync(r.Raw.ToArray(), NpgsqlDbType.Bytea);
        }
        await writer.CompleteAsync();
    }

    private static Task WriteOrNull<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type) =>
        value is null ? writer.WriteNullAsync() : writer.WriteAsync(value, type);
}

internal static class Publishers
{
    /// <summary>K QoS 1 publishers (one per board), each with up to <paramref name="inflight"/> unacknowledged publishes; returns when every PUBACK is in.</summary>
    public static async Task RunAsync(int port, Workload workload, int inflight)
    {
        var clients = new List<IMqttClient>();
        var run = Guid.NewGuid().ToString("N")[..4];
        foreach (var board in workload.PerBoard)
        {
            var c = new MqttClientFactory().CreateMqttClient();
            var name = board[0].Topic.Split('/')[1];
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("pub-" + name + "-" + run)
                .WithProtocolVersion(MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(30)).Build();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await c.ConnectAsync(options);
                    break;
                }
                catch (MQTTnet.Exceptions.MqttCommunicationException) when (attempt < 10)
                {
                    await Task.Delay(200 * attempt); // mosquitto refuses bursts of connects right after a burst of disconnects
                }
            }
            clients.Add(c);
        }
        try
        {
            await Task.WhenAll(workload.PerBoard.Select((board, i) => PublishBoardAsync(clients[i], board, inflight)));
        }
        finally
        {
            foreach (var c in clients)
            {
                await c.DisconnectAsync();
                c.Dispose();
            }
        }
    }

    private static async Task PublishBoardAsync(IMqttClient client, IReadOnlyList<(string Topic, byte[] Payload)> board, int inflight)
    {
        using var window = new SemaphoreSlim(inflight);
        var tasks = new List<Task>(board.Count);
        foreach (var (topic, payload) in board)
        {
            await window.WaitAsync();
            tasks.Add(PublishOneAsync(client, topic, payload, window));
        }
        await Task.WhenAll(tasks);
    }

    private static async Task PublishOneAsync(IMqttClient client, string topic, byte[] payload, SemaphoreSlim window)
    {
        try
        {
            var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
            {
                throw new InvalidOperationException("publish failed: " + result.ReasonCode);
            }
        }
        finally
        {
            window.Release();
        }
    }

    /// <summary>Seconds until the publishers are done and a QoS 1 subscriber has counted every message.</summary>
    public static async Task<double> WithCountingSubscriberAsync(int port, Workload workload, int inflight)
    {
        var factory = new MqttClientFactory();
        using var sub = factory.CreateMqttClient();
        var count = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sub.ApplicationMessageReceivedAsync += _ =>
        {
            if (Interlocked.Increment(ref count) == workload.Count)
            {
                all.TrySetResult();
            }
            return Task.CompletedTask;
        };
        await sub.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("bench-counter-" + Guid.NewGuid().ToString("N")[..6])
            .WithProtocolVersion(MqttProtocolVersion.V500).Build());
        await sub.SubscribeAsync(factory.CreateSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic("autovolt/+/telemetry").WithAtLeastOnceQoS()).Build());
        var sw = Stopwatch.StartNew();
        await RunAsync(port, workload, inflight);
        var last = -1;
        while (!all.Task.IsCompleted)
        {
            var now = Volatile.Read(ref count);
            if (now == last)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"the subscriber stalled at {now} of {workload.Count} messages"));
            }
            last = now;
            await Task.WhenAny(all.Task, Task.Delay(5000));
        }
        sw.Stop();
        await sub.DisconnectAsync();
        return sw.Elapsed.TotalSeconds;
    }
}

/// <summary>mosquitto on a free loopback port with the shipped queue limits (as the tests start it).</summary>
internal sealed class Mosquitto : IAsyncDisposable
{
    private static readonly string[] Candidates = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"];
    private readonly Process _process;
    private readonly string _dir;

    private Mosquitto(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<Mosquitto> StartAsync()
    {
        var exe = Candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("mosquitto is not installed (apt-get install mosquitto)");
        var port = Ports.Free();
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "autovolt-bench-mosquitto-" + port.ToString(CultureInfo.InvariantCulture))).FullName;
        var conf = Path.Combine(dir, "mosquitto.conf");
        await File.WriteAllTextAsync(conf, string.Create(CultureInfo.InvariantCulture, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence false
            max_queued_messages 100000
            max_queued_bytes 0
            set_tcp_nodelay true
            """));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(conf, (UnixFileMode)0b110_100_100);
        }
        var process = Process.Start(new ProcessStartInfo(exe, ["-c", conf]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                return new Mosquitto(process, dir, port);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException("mosquitto did not start listening");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>CPU seconds used so far by this process and by the throw-away PostgreSQL cluster (Linux /proc; 0 where unknown).</summary>
internal static class Cpu
{
    public static (double Process, double Postgres) Sample(string? clusterRoot)
    {
        var process = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        return (process, clusterRoot is null ? 0 : PostgresSeconds(clusterRoot));
    }

    /// <summary>The postmaster's own and reaped children's time plus its live children's (backends, WAL writer, …).</summary>
    private static double PostgresSeconds(string clusterRoot)
    {
        try
        {
            var pidFile = Path.Combine(clusterRoot, "data", "postmaster.pid");
            if (!File.Exists(pidFile))
            {
                return 0;
            }
            var postmaster = int.Parse(File.ReadLines(pidFile).First().Trim(), CultureInfo.InvariantCulture);
            long ticks = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }
                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(dir, "stat"));
                }
                catch (IOException)
                {
                    continue;
                }
                // Fields after "(comm)": state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based over the whole line.
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(f[1], CultureInfo.InvariantCulture);
                if (pid == postmaster)
                {
                    ticks += long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)
                        + long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture);
                }
                else if (ppid == postmaster)
                {
                    ticks += long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
                }
            }
            return ticks / 100.0; // USER_HZ
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }
}
