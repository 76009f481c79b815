using AutoVolt.Infrastructure.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AutoVolt.Web.Tests.Support;

/// <summary>
/// One PostgreSQL cluster per test run, started with the app's own embedded launcher (so local
/// runs and CI start it the same way). AUTOVOLT_TEST_PG (a server connection string) points the
/// tests at an existing server instead. Each test class gets a fresh, migrated database.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<string> Server = new(StartServer, LazyThreadSafetyMode.ExecutionAndPublication);
    private static EmbeddedPostgres? _embedded;

    /// <summary>Connection string to the server's maintenance database.</summary>
    public static string ServerConnectionString => Server.Value;

    /// <summary>Root folder of this test run's cluster (one per test process, so parallel runs never share or stop each other's server).</summary>
    public static string ClusterRoot { get; } = Path.Combine(Path.GetTempPath(), "autovolt-test-pg-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string StartServer()
    {
        var external = Environment.GetEnvironmentVariable("AUTOVOLT_TEST_PG");
        if (!string.IsNullOrWhiteSpace(external))
        {
            return external;
        }
        // Many app hosts start and stop in one run (each with pools for the app and Hangfire): allow plenty.
        _embedded = EmbeddedPostgres.Start(ClusterRoot, NullLogger.Instance, maxConnections: 500);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            _embedded.Stop();
            try
            {
                Directory.Delete(ClusterRoot, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return _embedded.ServerConnectionString;
    }

    /// <summary>Creates an empty database (not migrated) and returns its connection string.</summary>
    public static string CreateEmptyDatabase(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];
        using (var conn = new NpgsqlConnection(ServerConnectionString))
        {
            conn.Open();
            using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            cmd.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Creates a fresh database with every migration applied.</summary>
    public static string CreateMigratedDatabase(string prefix = "t")
    {
        var cs = CreateEmptyDatabase(prefix);
        MigrationRunner.Migrate(cs, NullLogger.Instance);
        return cs;
    }
}

/// <summary>A fresh migrated database for one test class.</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";
    public AutoVoltDatabase Database { get; private set; } = null!;

    public Task InitializeAsync()
    {
        ConnectionString = TestPostgres.CreateMigratedDatabase();
        Database = new AutoVoltDatabase(ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Database.DisposeAsync();
}
