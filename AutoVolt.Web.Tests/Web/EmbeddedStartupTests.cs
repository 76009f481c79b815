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
        Assert.False(File.Exists(Path.Combine(_dir, "data", "postmaster.pid")), "the embedded server stops with the app");

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
