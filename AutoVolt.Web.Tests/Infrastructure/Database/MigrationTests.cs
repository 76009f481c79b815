using AutoVolt.Infrastructure.Database;
using AutoVolt.Web.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AutoVolt.Web.Tests.Infrastructure.Database;

public sealed class MigrationTests
{
    [Fact]
    public void Migrate_FreshDatabase_AppliesEveryScriptOnceInOrder()
    {
        var cs = TestPostgres.CreateEmptyDatabase("mig");
        var first = MigrationRunner.Migrate(cs, NullLogger.Instance);
        var second = MigrationRunner.Migrate(cs, NullLogger.Instance);

        Assert.Equal(MigrationRunner.ShippedScripts(), first);
        Assert.Contains("0002_telemetry_events.sql", first);
        Assert.Empty(second);
    }

    [Theory]
    [InlineData("UPDATE ledger_entries SET energy_wh = 0")]
    [InlineData("DELETE FROM ledger_entries")]
    [InlineData("UPDATE telemetry_events SET power_w = 0")]
    [InlineData("DELETE FROM telemetry_events")]
    [InlineData("DELETE FROM cost_versions")]
    [InlineData("UPDATE ledger_revisions SET reason = 'x'")]
    [InlineData("DELETE FROM ledger_revisions")]
    public async Task AppendOnlyTables_UpdateOrDelete_IsRefused(string sql)
    {
        var cs = TestPostgres.CreateMigratedDatabase("ao");
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using (var seed = new NpgsqlCommand("""
            INSERT INTO cost_versions (cost_per_kwh, effective_from, effective_at, scope, created_at)
                VALUES (7.5, '2025-01-01', '2024-12-31T18:30Z', 'global', now());
            INSERT INTO telemetry_events (dedup_hash, device_key, esp32_name, device_id, board_ts, reading_ts, received_at, power_w, raw_payload)
                VALUES (decode(repeat('ab', 32), 'hex'), 'ESP01/light_1', 'ESP01', 'light_1', now(), now(), now(), 40, '\x7b7d');
            INSERT INTO ledger_entries (device_key, kind, period_start, period_end, local_date, energy_wh, method, confidence, created_at)
                VALUES ('ESP01/light_1', 'posting', now(), now(), current_date, 1, 'cumulative', 'high', now());
            INSERT INTO ledger_revisions (device_key, window_start, window_end, reason, created_at) VALUES ('ESP01/light_1', now(), now(), 'late reading', now());
            """, conn))
        {
            await seed.ExecuteNonQueryAsync();
        }

        await using var cmd = new NpgsqlCommand(sql, conn);
        var ex = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Contains("append-only", ex.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TelemetryEvents_SameDedupHash_IsStoredOnce()
    {
        var cs = TestPostgres.CreateMigratedDatabase("dd");
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        const string insert = """
            INSERT INTO telemetry_events (dedup_hash, device_key, esp32_name, device_id, board_ts, reading_ts, received_at, power_w, raw_payload)
            VALUES (decode(repeat('cd', 32), 'hex'), 'ESP01/light_1', 'ESP01', 'light_1', '2025-11-05T06:12:34Z', '2025-11-05T06:12:34Z', now(), 40, '\x7b7d')
            ON CONFLICT DO NOTHING
            """;
        for (var i = 0; i < 3; i++)
        {
            await using var cmd = new NpgsqlCommand(insert, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        await using var count = new NpgsqlCommand("SELECT count(*) FROM telemetry_events", conn);
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }
}
