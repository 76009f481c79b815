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
        try
        {
            using (var conn = new NpgsqlConnection(pg.ServerConnectionString))
            {
                conn.Open();
                using var cmd = new NpgsqlCommand("CREATE DATABASE autovolt", conn);
                cmd.ExecuteNonQuery();
            }
            var cs = pg.ConnectionStringFor("autovolt");
            MigrationRunner.Migrate(cs, NullLogger.Instance);
            await using var broker = await MosquittoBroker.StartAsync();
            await using var app = new AutoVoltAppFactory(cs)
                .With("Mqtt:Broker", string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{broker.Port}"))
                .With("Mqtt:ClientId", "autovolt-pgrestart-" + Guid.NewGuid().ToString("N")[..6])
                .With("Ledger:SettleSeconds", "3600");
            _ = app.Server;
            await Eventually.EqualAsync(true, () => Task.FromResult(app.Services.GetRequiredService<AutoVolt.Infrastructure.Ingestion.IIngestionStatus>().Connected));

            var restarted = Task.CompletedTask;
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
}
