using System.Collections.Concurrent;
using System.Globalization;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit.Abstractions;

namespace AutoVolt.Web.Tests.Infrastructure.Ingestion;

/// <summary>Invariant: every published QoS 1 message is stored exactly once, across a hard crash of the app or a PostgreSQL restart.</summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 5, 6, 0, 0, TimeSpan.Zero);

    private static string Payload(string board, int i) =>
        MqttTestClient.Telemetry(board, "light_" + (i % 5).ToString(CultureInfo.InvariantCulture), T0.AddSeconds(i * 10), i, 40m, i);

    private static async Task<(long Rows, long Distinct)> CountAsync(string cs, string board)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        return await conn.QuerySingleAsync<(long, long)>(
            "SELECT count(*), count(DISTINCT (device_key, sequence_no)) FROM telemetry_events WHERE esp32_name = @board", new { board });
    }

    private static async Task<long> TryCountAsync(string cs, string board)
    {
        try
        {
            return (await CountAsync(cs, board)).Rows;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return -1;
        }
    }

    /// <summary>Publishes <paramref name="n"/> readings (QoS 1, up to 50 in flight), calling <paramref name="midway"/> once after <paramref name="at"/> acks.</summary>
    private static async Task PublishAsync(int port, string board, int n, int at, Func<Task> midway)
    {
        await using var client = await MqttTestClient.ConnectAsync(port, board);
        var inFlight = new List<Task>();
        for (var i = 0; i < n; i++)
        {
            if (i == at)
            {
                await Task.WhenAll(inFlight);
                await midway();
            }
            inFlight.Add(client.PublishAsync($"autovolt/{board}/telemetry", Payload(board, i)));
            if (inFlight.Count >= 50)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
            }
        }
        await Task.WhenAll(inFlight);
    }

    [Fact]
    public async Task AppKilledMidStream_ThenRestarted_EveryMessageStoredExactlyOnce()
    {
        const int n = 3000;
        const string board = "CRASH1";
        await using var broker = await MosquittoBroker.StartAsync();
        var cs = TestPostgres.CreateMigratedDatabase("crash");
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:AutoVolt"] = cs,
            ["Mqtt:Broker"] = string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{broker.Port}"),
            ["Mqtt:ClientId"] = "autovolt-crash-" + Guid.NewGuid().ToString("N")[..6],
            ["Ledger:SettleSeconds"] = "3600",
        };

        var appA = AppProcess.Start(settings);
        long storedAtKill = 0;
        try
        {
            await appA.WaitForIngestionAsync(TimeSpan.FromSeconds(90));
            // Kill once A is storing: wait until a part is in PostgreSQL, then SIGKILL while the rest is still being published.
            await PublishAsync(broker.Port, board, n, n / 3, async () =>
            {
                await Eventually.EqualAsync(true, async () => await TryCountAsync(cs, board) > 100, 60_000);
                await appA.KillAsync();
                storedAtKill = await TryCountAsync(cs, board);
            });
        }
        finally
        {
            output.WriteLine(appA.Output);
            await appA.DisposeAsync();
        }
        output.WriteLine($"stored when A was killed: {storedAtKill}");
        Assert.InRange(storedAtKill, 1, n - 1);

        await using var appB = AppProcess.Start(settings);
        await appB.WaitForIngestionAsync(TimeSpan.FromSeconds(90));
        await Eventually.EqualAsync(true, async () => await TryCountAsync(cs, board) >= n, 120_000);
        await Task.Delay(1000); // nothing more (no duplicate) may arrive afterwards
        var (rows, distinct) = await CountAsync(cs, board);
        Assert.Equal(n, rows);
        Assert.Equal(n, distinct);
    }

    [Fact]
    public async Task PostgresRestartedMidStream_NoLossNoDuplicates()
    {
        const int n = 3000;
        const string board = "PGRST1";
        var root = Path.Combine(Path.GetTempPath(), "autovolt-pgrestart-" + Guid.NewGuid().ToString("N")[..8]);
        var pg = EmbeddedPostgres.Start(root, NullLogger.Instance);
        var port = pg.Port;
        var restarted = Task.CompletedTask;
        try
        {
            var cs = CreateMigratedDatabase(pg);
            await using var broker = await MosquittoBroker.StartAsync();
            await using var app = new AutoVoltAppFactory(cs)
                .With("Mqtt:Broker", string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{broker.Port}"))
                .With("Mqtt:ClientId", "autovolt-pgrestart-" + Guid.NewGuid().ToString("N")[..6])
                .With("Ledger:SettleSeconds", "3600");
            _ = app.Server;
            await Eventually.EqualAsync(true, () => Task.FromResult(app.Services.GetRequiredService<AutoVolt.Infrastructure.Ingestion.IIngestionStatus>().Connected));

            await PublishAsync(broker.Port, board, n, n / 3, async () =>
            {
                await Eventually.EqualAsync(true, async () => await TryCountAsync(cs, board) > 100, 60_000);
                pg.Stop();
                // Down for a few seconds while the rest is published, then back on the same port and data folder.
                restarted = Task.Run(async () =>
                {
                    await Task.Delay(3000);
                    pg = EmbeddedPostgres.Start(root, NullLogger.Instance, port);
                });
            });
            await restarted;
            await Eventually.EqualAsync(true, async () => await TryCountAsync(cs, board) >= n, 120_000);
            await Task.Delay(1000);
            var (rows, distinct) = await CountAsync(cs, board);
            Assert.Equal(n, rows);
            Assert.Equal(n, distinct);
            Assert.True(app.Services.GetRequiredService<AutoVolt.Infrastructure.Ingestion.IIngestionStatistics>().FailedBatches > 0,
                "the outage must have been noticed (otherwise the test did not test anything)");
        }
        finally
        {
            // Never leave a restart running behind the test (it would start a server nobody stops).
            await AwaitQuietlyAsync(restarted);
            pg.Stop();
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

    /// <summary>
    /// Publishes readings <paramref name="from"/>..<paramref name="n"/>-1 like a board does: up to 50 unacknowledged, and whatever
    /// was not acknowledged (refused, connection closed) is sent again on a new connection until everything is acknowledged.
    /// </summary>
    private static async Task<int> PublishUntilAllAckedAsync(int port, string board, int from, int n)
    {
        var todo = Enumerable.Range(from, n - from).ToList();
        var connections = 0;
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        while (todo.Count > 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"{todo.Count} readings still unacknowledged");
            MqttTestClient client;
            try
            {
                client = await MqttTestClient.ConnectAsync(port, board);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                await Task.Delay(200);
                continue;
            }
            connections++;
            var failed = new ConcurrentBag<int>();
            await using (client)
            {
                using var window = new SemaphoreSlim(50);
                var tasks = new List<Task>();
                foreach (var i in todo)
                {
                    await window.WaitAsync();
                    tasks.Add(PublishOneAsync(i));
                }
                await Task.WhenAll(tasks);

                async Task PublishOneAsync(int i)
                {
                    try
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                        var result = await client.PublishAsync($"autovolt/{board}/telemetry", Payload(board, i), ct: timeout.Token);
                        if (!result.IsSuccess)
                        {
                            failed.Add(i);
                        }
                    }
                    catch (Exception)
                    {
                        // Not acknowledged, whatever the client threw (MQTTnet can throw a NullReferenceException when the
                        // connection drops under a publish): the board keeps the reading and sends it again.
                        failed.Add(i);
                    }
                    finally
                    {
                        window.Release();
                    }
                }
            }
            todo = [.. failed.Order()];
            if (todo.Count > 0)
            {
                await Task.Delay(200);
            }
        }
        return connections;
    }

    [Fact]
    public async Task EmbeddedBroker_PostgresRestartedMidStream_NoLossNoDuplicates()
    {
        // The embedded path acknowledges from the send loop once the commit is done (many messages of one board in flight):
        // a PostgreSQL outage while messages are in flight must cost no acknowledged message and store none twice.
        const int n = 3000;
        const int at = 1000;
        const string board = "PGRSTE";
        var root = Path.Combine(Path.GetTempPath(), "autovolt-pgrestart-e-" + Guid.NewGuid().ToString("N")[..8]);
        var pg = EmbeddedPostgres.Start(root, NullLogger.Instance);
        var port = pg.Port;
        var outage = Task.CompletedTask;
        using var endOutage = new CancellationTokenSource();
        try
        {
            var cs = CreateMigratedDatabase(pg);
            await using var app = new AutoVoltAppFactory(cs).With("Ledger:SettleSeconds", "3600");
            _ = app.Server;
            var stats = app.Services.GetRequiredService<AutoVolt.Infrastructure.Ingestion.IIngestionStatistics>();
            var broker = app.Services.GetRequiredService<AutoVolt.Infrastructure.Ingestion.EmbeddedBroker>();

            Assert.Equal(1, await PublishUntilAllAckedAsync(app.MqttPort, board, 0, at));
            Assert.Equal(at, (await CountAsync(cs, board)).Rows);

            // Stop PostgreSQL once part of the rest is stored (so messages are in flight), restart it 3 s later.
            outage = Task.Run(async () =>
            {
                var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
                while (stats.Stored < at + 200 && DateTimeOffset.UtcNow < deadline)
                {
                    await Task.Delay(2, endOutage.Token);
                }
                pg.Stop();
                await Task.Delay(3000, endOutage.Token);
                pg = EmbeddedPostgres.Start(root, NullLogger.Instance, port);
            });
            var connections = await PublishUntilAllAckedAsync(app.MqttPort, board, at, n);
            await outage;
            // Every reading is acknowledged, so every one must be stored now, each once.
            var (rows, distinct) = await CountAsync(cs, board);
            output.WriteLine($"connections for the rest: {connections}, failed batches: {stats.FailedBatches}, withheld PUBACKs: {broker.WithheldAcknowledgements}");
            Assert.Equal(n, rows);
            Assert.Equal(n, distinct);
            Assert.True(stats.FailedBatches > 0, "the outage must have been noticed (otherwise the test did not test anything)");
            Assert.True(connections > 1, "the board must have been disconnected and have sent again");
        }
        finally
        {
            await endOutage.CancelAsync();
            await AwaitQuietlyAsync(outage);
            pg.Stop();
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

    /// <summary>Creates and migrates the database <c>autovolt</c> in a private cluster (one the test can stop and restart).</summary>
    private static string CreateMigratedDatabase(EmbeddedPostgres pg)
    {
        using (var conn = new NpgsqlConnection(pg.ServerConnectionString))
        {
            conn.Open();
            using var cmd = new NpgsqlCommand("CREATE DATABASE autovolt", conn);
            cmd.ExecuteNonQuery();
        }
        var cs = pg.ConnectionStringFor("autovolt");
        MigrationRunner.Migrate(cs, NullLogger.Instance);
        return cs;
    }

    private static async Task AwaitQuietlyAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // The test's own failure (if any) is what matters; this only makes sure nothing keeps running.
        }
    }
}
