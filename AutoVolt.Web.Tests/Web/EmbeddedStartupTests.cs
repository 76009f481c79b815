using System.Net;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AutoVolt.Web.Tests.Web;

/// <summary>The README's first command: no connection string → private PostgreSQL, migrations, data kept across restarts.</summary>
public sealed class EmbeddedStartupTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "autovolt-embedded-" + Guid.NewGuid().ToString("N")[..8], "postgres");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string LogTail()
    {
        var log = Path.Combine(_dir, "postgres.log");
        return File.Exists(log) ? string.Join(" | ", File.ReadLines(log).TakeLast(15)) : "(no log)";
    }

    [Fact]
    public async Task App_EmbeddedDefault_StartsMigratesAndReusesDataOnSecondStart()
    {
        await using (var first = AutoVoltAppFactory.Embedded(_dir))
        {
            using var client = first.CreateClient();
            using var res = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            var db = first.Services.GetRequiredService<AutoVoltDatabase>();
            await using var conn = await db.OpenAsync();
            Assert.Equal(MigrationRunner.ShippedScripts().Count, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM schemaversions"));
            await conn.ExecuteAsync("INSERT INTO quarantined_messages (topic, payload, reason, received_at) VALUES ('t', '\\x00', 'marker', now())");
        }
        var pidFile = Path.Combine(_dir, "data", "postmaster.pid");
        // The app stops its server on shutdown; allow the server's own shutdown checkpoint to finish.
        var stopped = await Eventually.EqualAsync(true, () => Task.FromResult(!File.Exists(pidFile)), 30_000);
        Assert.True(stopped, "the embedded server stops with the app; its log ends: " + LogTail());

        await using var second = AutoVoltAppFactory.Embedded(_dir);
        using (var client = second.CreateClient())
        {
            using var res = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        }
        var db2 = second.Services.GetRequiredService<AutoVoltDatabase>();
        await using var conn2 = await db2.OpenAsync();
        Assert.Equal(1, await conn2.ExecuteScalarAsync<int>("SELECT count(*) FROM quarantined_messages WHERE reason = 'marker'"));
    }
}

public sealed class BootstrapTests
{
    [Fact]
    public async Task Restart_RevokedBootstrapKeyStaysRevoked_AndChangedAdminPasswordIsKept()
    {
        var cs = TestPostgres.CreateEmptyDatabase("boot");
        await using (var first = new AutoVoltAppFactory(cs))
        {
            var users = first.Services.GetRequiredService<AutoVolt.Infrastructure.Auth.UserStore>();
            await first.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStarted.WaitHandleAsync();
            var key = (await users.ListApiKeysAsync()).Single(k => k.Name == "bootstrap");
            Assert.True(await users.RevokeApiKeyAsync(key.Id));
            await users.SetPasswordAsync("admin", "changed-in-the-admin-page");
        }
        await using var second = new AutoVoltAppFactory(cs);
        using var client = second.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AutoVoltAppFactory.AdminApiKey);
        using var res = await client.GetAsync(new Uri("/api/power-analytics/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        var store = second.Services.GetRequiredService<AutoVolt.Infrastructure.Auth.UserStore>();
        Assert.Equal(AutoVolt.Infrastructure.Auth.SignInOutcome.Succeeded, (await store.VerifyPasswordAsync("admin", "changed-in-the-admin-page")).Outcome);
        Assert.Equal(AutoVolt.Infrastructure.Auth.SignInOutcome.Failed, (await store.VerifyPasswordAsync("admin", AutoVoltAppFactory.AdminPassword)).Outcome);
    }
}

internal static class WaitHandleExtensions
{
    public static Task WaitHandleAsync(this CancellationToken token)
    {
        var tcs = new TaskCompletionSource();
        token.Register(() => tcs.TrySetResult());
        return tcs.Task;
    }
}
