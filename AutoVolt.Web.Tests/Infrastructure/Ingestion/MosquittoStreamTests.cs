using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ingestion;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AutoVolt.Web.Tests.Infrastructure.Ingestion;

/// <summary>Invariant 5 through the external path (mosquitto + MqttIngestionWorker), and the ingestion counters.</summary>
public sealed class MosquittoStreamTests
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 5, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Mosquitto_ValidWithDuplicatesAndInvalid_DistinctStoredEveryInvalidQuarantinedWithReason()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var app = new AutoVoltAppFactory()
            .With("Mqtt:Broker", string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{broker.Port}"))
            .With("Mqtt:ClientId", "autovolt-stream-" + Guid.NewGuid().ToString("N")[..6])
            .With("Ledger:SettleSeconds", "3600");
        _ = app.Server;
        await Eventually.EqualAsync(true, () => Task.FromResult(app.Services.GetRequiredService<IIngestionStatus>().Connected));

        // 1000 valid readings from 4 boards, every 10th sent twice (100 duplicates), and 40 invalid ones of 4 kinds.
        var messages = new List<(string Topic, string Payload)>();
        var expectedReason = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 1000; i++)
        {
            var board = "MS" + (i % 4).ToString(CultureInfo.InvariantCulture);
            var p = MqttTestClient.Telemetry(board, "d" + (i % 3).ToString(CultureInfo.InvariantCulture), T0.AddSeconds(i * 10), i, 40m, i);
            messages.Add(($"autovolt/{board}/telemetry", p));
            if (i % 10 == 0)
            {
                messages.Add(($"autovolt/{board}/telemetry", p));
            }
        }
        for (var i = 0; i < 40; i++)
        {
            var board = "MS" + (i % 4).ToString(CultureInfo.InvariantCulture);
            var tag = i.ToString(CultureInfo.InvariantCulture);
            var (payload, reason) = (i % 4) switch
            {
                0 => ("not json " + tag, "json"),
                1 => ($"{{\"esp32_name\":\"OTHER{tag}\",\"device_id\":\"x\",\"power_w\":1}}", "topic"),
                2 => ($"{{\"esp32_name\":\"{board}\",\"device_id\":\"x{tag}\",\"power_w\":-5}}", "power_w"),
                _ => ($"{{\"esp32_name\":\"{board}\",\"device_id\":\"y{tag}\"}}", "energy"),
            };
            messages.Add(($"autovolt/{board}/telemetry", payload));
            expectedReason[payload] = reason;
        }
        var rng = new Random(7);
        var shuffled = messages.OrderBy(_ => rng.Next()).ToList();

        var clients = new List<MqttTestClient>();
        for (var b = 0; b < 4; b++)
        {
            clients.Add(await MqttTestClient.ConnectAsync(broker.Port, "MS" + b.ToString(CultureInfo.InvariantCulture)));
        }
        foreach (var chunk in shuffled.Chunk(100))
        {
            await Task.WhenAll(chunk.Select(m => clients[m.Topic[11] - '0'].PublishAsync(m.Topic, m.Payload)));
        }
        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }

        var db = app.Services.GetRequiredService<AutoVoltDatabase>();
        async Task<long> Count(string sql)
        {
            await using var conn = await db.OpenAsync();
            return await conn.ExecuteScalarAsync<long>(sql);
        }
        await Eventually.EqualAsync(1040L, async () =>
            await Count("SELECT count(*) FROM telemetry_events WHERE esp32_name LIKE 'MS_'") +
            await Count("SELECT count(*) FROM quarantined_messages WHERE topic LIKE 'autovolt/MS_/%'"), 60_000);
        Assert.Equal(1000, await Count("SELECT count(*) FROM telemetry_events WHERE esp32_name LIKE 'MS_'"));
        Assert.Equal(1000, await Count("SELECT count(DISTINCT (device_key, sequence_no)) FROM telemetry_events WHERE esp32_name LIKE 'MS_'"));

        await using (var conn = await db.OpenAsync())
        {
            var rows = (await conn.QueryAsync<(byte[] Payload, string Reason, string? Field)>(
                "SELECT payload, reason, field FROM quarantined_messages WHERE topic LIKE 'autovolt/MS_/%'")).ToList();
            Assert.Equal(40, rows.Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (payload, reason, field) in rows)
            {
                var text = Encoding.UTF8.GetString(payload);
                Assert.True(expectedReason.TryGetValue(text, out var want), "unexpected quarantined payload " + text);
                Assert.Contains(want, reason + " " + field, StringComparison.OrdinalIgnoreCase);
                Assert.True(seen.Add(text), "quarantined twice: " + text);
            }
        }

        // Counters: every message handed over, each outcome counted once, batches formed, nothing left unacknowledged.
        var stats = app.Services.GetRequiredService<IIngestionStatistics>();
        Assert.Equal(1140, stats.Received);
        Assert.Equal(1000, stats.Stored);
        Assert.Equal(100, stats.Duplicates);
        Assert.Equal(40, stats.Quarantined);
        Assert.Equal(0, stats.Backlog);
        Assert.InRange(stats.LastBatchSize, 1, IngestionPipeline.MaxBatch);
        Assert.InRange(stats.AverageBatchSize, 1.0, IngestionPipeline.MaxBatch);
        Assert.True(stats.AverageCommitMs > 0 && stats.LastCommitMs > 0);

        // The Health page shows them.
        using var http = app.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", AutoVoltAppFactory.AdminApiKey);
        using var res = await http.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var html = await res.Content.ReadAsStringAsync();
        Assert.Contains("Messages received by this instance since start</td><td>1140</td>", html, StringComparison.Ordinal);
        Assert.Contains("1000 / 100 / 40", html, StringComparison.Ordinal);
        Assert.Contains("Unacknowledged backlog (queued, not yet committed)</td><td>0</td>", html, StringComparison.Ordinal);
        Assert.Contains("Ingestion batch size (last / average)", html, StringComparison.Ordinal);

        // And /metrics exports them as gauges.
        using var metrics = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await metrics.Content.ReadAsStringAsync();
        Assert.Matches(new Regex("^autovolt_ingestion_backlog(\\{[^}]*\\})? 0$", RegexOptions.Multiline), body);
        Assert.Matches(new Regex("^autovolt_ingestion_batch_size(\\{[^}]*\\})? [1-9]", RegexOptions.Multiline), body);
        Assert.Matches(new Regex("^autovolt_ingestion_commit_duration_seconds(\\{[^}]*\\})? [0-9.eE+-]+$", RegexOptions.Multiline), body);
    }
}
