using AutoVolt.Infrastructure.Database;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Npgsql;

namespace AutoVolt.Web.Tests.Infrastructure.Database;

/// <summary>The app's connections run without JIT compilation unless the connection string chooses otherwise.</summary>
public sealed class AutoVoltDatabaseTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Theory]
    [InlineData(null, "off")]
    [InlineData("-c statement_timeout=60000", "off")]
    [InlineData("-c jit=on", "on")]
    public async Task Connections_JitOffUnlessTheConnectionStringSetsIt(string? options, string expected)
    {
        var cs = new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { Options = options }.ConnectionString;
        await using var db = new AutoVoltDatabase(cs);
        await using var conn = await db.OpenAsync();
        Assert.Equal(expected, await conn.ExecuteScalarAsync<string>("SHOW jit"));
        if (options is not null && options.Contains("statement_timeout", StringComparison.Ordinal))
        {
            Assert.Equal("1min", await conn.ExecuteScalarAsync<string>("SHOW statement_timeout"));
        }
    }
}
