using System.Diagnostics;
using AutoVolt.Infrastructure.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AutoVolt.Web.Tests.Infrastructure.Database;

public sealed class EmbeddedPostgresTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "autovolt-pg-test-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [Fact]
    public async Task Start_TwiceOnSameFolder_ReusesDataAcrossRestart()
    {
        using (var pg = EmbeddedPostgres.Start(_root, NullLogger.Instance))
        {
            await using var conn = new NpgsqlConnection(pg.ServerConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42);", conn);
            await cmd.ExecuteNonQueryAsync();
            Assert.True(pg.Port > 0);
        }

        using (var pg = EmbeddedPostgres.Start(_root, NullLogger.Instance))
        {
            await using var conn = new NpgsqlConnection(pg.ServerConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT v FROM kept", conn);
            Assert.Equal(42, (int)(await cmd.ExecuteScalarAsync())!);
        }
    }

    [Fact]
    public async Task Start_AfterCrashLeavesStalePidFile_StartsAnyway()
    {
        int pid;
        using (var pg = EmbeddedPostgres.Start(_root, NullLogger.Instance))
        {
            var pidFile = Path.Combine(_root, "data", "postmaster.pid");
            pid = int.Parse(File.ReadLines(pidFile).First(), System.Globalization.CultureInfo.InvariantCulture);
            // Simulate a crash: kill the postmaster hard; postmaster.pid stays behind.
            using (var kill = Process.Start("kill", ["-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            for (var i = 0; i < 50 && ProcessExists(pid); i++)
            {
                await Task.Delay(100);
            }
            Assert.True(File.Exists(pidFile));
        }

        using var again = EmbeddedPostgres.Start(_root, NullLogger.Instance);
        await using var conn = new NpgsqlConnection(again.ServerConnectionString);
        await conn.OpenAsync();
        Assert.Equal(System.Data.ConnectionState.Open, conn.State);
    }

    [Fact]
    public void FindBinaries_NothingInstalled_ReturnsNull()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        Assert.Null(EmbeddedPostgres.FindBinaries(empty, Path.Combine(_root, "no-such-root")));
        Assert.Contains("apt-get install postgresql", EmbeddedPostgres.MissingBinariesMessage, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:AutoVolt", EmbeddedPostgres.MissingBinariesMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void FindBinaries_DebianLayout_PicksNewestCompleteVersion()
    {
        foreach (var (version, complete) in new[] { ("13", true), ("15", true), ("16", false) })
        {
            var bin = Directory.CreateDirectory(Path.Combine(_root, "pg", version, "bin")).FullName;
            foreach (var tool in complete ? new[] { "initdb", "pg_ctl", "postgres" } : ["initdb"])
            {
                File.WriteAllText(Path.Combine(bin, tool), "");
            }
        }
        Assert.Equal(Path.Combine(_root, "pg", "15", "bin"), EmbeddedPostgres.FindBinaries("", Path.Combine(_root, "pg")));
    }

    private static bool ProcessExists(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
