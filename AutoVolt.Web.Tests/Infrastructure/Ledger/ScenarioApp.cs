using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ledger;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace AutoVolt.Web.Tests.Infrastructure.Ledger;

/// <summary>The real app (embedded broker, fresh DB) in a given site zone with one global rate of 8/kWh from 2025-01-01 local.</summary>
public abstract class ScenarioApp(string zone, string currency) : IAsyncLifetime
{
    public AutoVoltAppFactory Factory { get; } = new AutoVoltAppFactory().With("Site:TimeZone", zone).With("Site:Currency", currency);

    public AutoVoltDatabase Db => Factory.Services.GetRequiredService<AutoVoltDatabase>();

    public async Task InitializeAsync()
    {
        _ = Factory.Server;
        await AddRateAsync(8m, "2025-01-01T00:00");
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    /// <summary>Inserts a global cost version effective at a local date-time of the site zone.</summary>
    public async Task AddRateAsync(decimal rate, string localFrom)
    {
        await using var conn = await Db.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO cost_versions (cost_per_kwh, currency, effective_from, effective_at, scope, created_at)
            VALUES (@rate, @currency, @localFrom::timestamp, (@localFrom::timestamp AT TIME ZONE @zone), 'global', now())
            """, new { rate, currency, localFrom, zone });
    }

    public async Task AccountAsync()
    {
        await Accounting.AccountAllAsync(Factory.Services);
    }

    public async Task<DayRow> DayAsync(string deviceKey, string date)
    {
        await using var conn = await Db.OpenAsync();
        return await conn.QuerySingleOrDefaultAsync<DayRow>("""
            SELECT energy_wh, energy_high_wh, energy_medium_wh, energy_low_wh, cost, on_time_sec, held_energy_wh, flag_counts::text AS flags, currency
            FROM daily_aggregates WHERE device_key = @deviceKey AND local_date = @date::date
            """, new { deviceKey, date }) ?? throw new Xunit.Sdk.XunitException($"no daily aggregate for {deviceKey} {date}");
    }

    public async Task<long> RowCountAsync(string deviceKey)
    {
        await using var conn = await Db.OpenAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_entries WHERE device_key = @deviceKey", new { deviceKey });
    }

    /// <summary>
    /// Invariant 2 (every day's ledger rows sum to its daily aggregate, and every day with rows has one) and
    /// idempotence (re-running the jobs and re-deriving the whole history append nothing).
    /// </summary>
    public async Task AssertInvariantsAsync(params string[] deviceKeys)
    {
        await using var conn = await Db.OpenAsync();
        foreach (var key in deviceKeys)
        {
            var mismatches = await conn.QueryAsync<string>("""
                SELECT coalesce(l.local_date, a.local_date)::text FROM
                  (SELECT local_date, sum(energy_wh) e, sum(cost) c, sum(held_energy_wh) h, sum(on_time_sec) o, sum(CASE WHEN kind = 'reversal' THEN -1 ELSE 1 END) n
                   FROM ledger_entries WHERE device_key = @key GROUP BY local_date) l
                FULL JOIN (SELECT * FROM daily_aggregates WHERE device_key = @key) a ON a.local_date = l.local_date
                WHERE l.local_date IS NULL OR a.local_date IS NULL OR l.e <> a.energy_wh OR l.c <> a.cost OR l.h <> a.held_energy_wh
                   OR l.o <> a.on_time_sec OR l.n <> a.entry_count
                """, new { key });
            Assert.Empty(mismatches);
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM ledger_entries WHERE device_key = @key AND energy_wh < 0 AND kind <> 'reversal'", new { key }));
        }
        var before = new Dictionary<string, long>();
        foreach (var key in deviceKeys)
        {
            before[key] = await RowCountAsync(key);
        }
        await AccountAsync();
        var job = Factory.Services.GetRequiredService<LedgerJob>();
        foreach (var key in deviceKeys)
        {
            await using var tx = await conn.BeginTransactionAsync();
            await LedgerStore.TryLockDeviceAsync(conn, key, CancellationToken.None);
            var appended = await job.RederiveAsync(conn, key, Instant.FromUtc(2020, 1, 1, 0, 0), long.MaxValue, "test", CancellationToken.None);
            await tx.RollbackAsync();
            Assert.Equal(0, appended);
            Assert.Equal(before[key], await RowCountAsync(key));
        }
    }

    public sealed record DayRow(decimal EnergyWh, decimal EnergyHighWh, decimal EnergyMediumWh, decimal EnergyLowWh, decimal Cost, decimal OnTimeSec,
        decimal HeldEnergyWh, string Flags, string Currency)
    {
        public int Flag(string name) =>
            System.Text.Json.JsonDocument.Parse(Flags).RootElement.TryGetProperty(name, out var v) ? v.GetInt32() : 0;
    }
}

public sealed class KolkataScenarioApp() : ScenarioApp("Asia/Kolkata", "INR");

public sealed class NewYorkScenarioApp() : ScenarioApp("America/New_York", "USD");
