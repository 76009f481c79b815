using System.Globalization;
using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Time;
using AutoVolt.Infrastructure.Analytics;
using AutoVolt.Infrastructure.Auth;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Web.Tests.Infrastructure.Analytics;

/// <summary>
/// The real app in America/New_York (USD) with hand-made ledger rows (see <see cref="SeedAsync"/>) aggregated by the real
/// AggregationJob, plus viewer/operator API keys.
/// </summary>
public sealed class AnalyticsFixture : IAsyncLifetime
{
    public const string ViewerKey = "test-viewer-api-key-0123456789";
    public const string OperatorKey = "test-operator-api-key-0123456789";
    public const string InjectionClassroom = "=HYPERLINK(\"http://x\",\"y\")";
    public const decimal Rate = 0.2m;

    public AutoVoltAppFactory Factory { get; } = new AutoVoltAppFactory()
        .With("Site:TimeZone", "America/New_York").With("Site:Currency", "USD");

    public AutoVoltDatabase Db => Factory.Services.GetRequiredService<AutoVoltDatabase>();

    public AnalyticsQueries Queries => Factory.Services.GetRequiredService<AnalyticsQueries>();

    public SiteCalendar Calendar { get; } = SiteCalendar.ForZoneId("America/New_York");

    public long GlobalVersionId { get; private set; }

    public async Task InitializeAsync()
    {
        _ = Factory.Server;
        var users = Factory.Services.GetRequiredService<UserStore>();
        await users.CreateApiKeyAsync("viewer-key", Roles.Viewer, ViewerKey);
        await users.CreateApiKeyAsync("operator-key", Roles.Operator, OperatorKey);
        await SeedAsync();
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    /// <summary>
    /// 2025-11-02 (25 h, EDT→EST; day = 04:00Z..05:00Z next day), rate 0.2 USD/kWh:
    /// ESPA/light_1: 100 Wh high 04:00–05:00Z; 60 Wh low (gap, estimated) 05:30–06:30Z (spans the 06:00Z bucket
    /// boundary); 20 Wh medium 07:00–07:20Z reversed and re-posted as 25 Wh.
    /// ESPA/fan_1: 10 Wh high 04:30–05:00Z on 11-03 (= 23:30–24:00 EST, the day's last hour).
    /// ESPB/-evil (injection classroom, board offline): 7.5 Wh high (gap) 12:00–12:10Z.
    /// 2025-03-09 (23 h, day = 05:00Z..04:00Z next day): ESPA/light_1 10 Wh high 06:40–08:10Z (20/60/10 minutes over three hours).
    /// </summary>
    private async Task SeedAsync()
    {
        await using var conn = await Db.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO boards (esp32_name, classroom, first_seen_at, last_seen_at, last_status) VALUES
                ('ESPA', 'A-101', '2025-01-01Z', '2025-11-02T12:00Z', 'online'),
                ('ESPB', @room, '2025-01-01Z', '2025-11-02T12:10Z', 'offline');
            INSERT INTO devices (device_key, esp32_name, device_id, classroom, first_seen_at, last_seen_at) VALUES
                ('ESPA/light_1', 'ESPA', 'light_1', 'A-101', '2025-01-01Z', '2025-11-02T12:00Z'),
                ('ESPA/fan_1', 'ESPA', 'fan_1', 'A-101', '2025-01-01Z', '2025-11-02T12:00Z'),
                ('ESPB/-evil', 'ESPB', '-evil', @room, '2025-01-01Z', '2025-11-02T12:10Z');
            """, new { room = InjectionClassroom });
        GlobalVersionId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO cost_versions (cost_per_kwh, currency, effective_from, effective_at, scope, created_at)
            VALUES (0.2, 'USD', '2025-01-01T00:00', '2025-01-01T05:00Z', 'global', now()) RETURNING id
            """);
        await PostAsync("ESPA/light_1", "A-101", "2025-11-02T04:00:00Z", "2025-11-02T05:00:00Z", 100m, onTime: 3600m);
        await PostAsync("ESPA/light_1", "A-101", "2025-11-02T05:30:00Z", "2025-11-02T06:30:00Z", 60m, "low", (int)(EntryMarks.Gap | EntryMarks.Estimated), 3600m);
        var wrong = await PostAsync("ESPA/light_1", "A-101", "2025-11-02T07:00:00Z", "2025-11-02T07:20:00Z", 20m, "medium", onTime: 1200m);
        await PostAsync("ESPA/light_1", "A-101", "2025-11-02T07:00:00Z", "2025-11-02T07:20:00Z", -20m, "medium", onTime: -1200m, reverses: wrong);
        await PostAsync("ESPA/light_1", "A-101", "2025-11-02T07:00:00Z", "2025-11-02T07:20:00Z", 25m, "medium", onTime: 1200m);
        await PostAsync("ESPA/fan_1", "A-101", "2025-11-03T04:30:00Z", "2025-11-03T05:00:00Z", 10m, onTime: 1800m);
        await PostAsync("ESPB/-evil", InjectionClassroom, "2025-11-02T12:00:00Z", "2025-11-02T12:10:00Z", 7.5m, marks: (int)EntryMarks.Gap, onTime: 600m);
        await PostAsync("ESPA/light_1", "A-101", "2025-03-09T06:40:00Z", "2025-03-09T08:10:00Z", 10m, onTime: 5400m);
        await AggregateAsync();
    }

    /// <summary>Inserts one ledger row priced at <paramref name="rate"/> (a reversal when <paramref name="reverses"/> is set); returns its id.</summary>
    public async Task<long> PostAsync(string deviceKey, string classroom, string start, string end, decimal wh, string confidence = "high",
        int marks = 0, decimal onTime = 0m, long? reverses = null, decimal rate = Rate, decimal? cost = null)
    {
        var ps = InstantPattern.ExtendedIso.Parse(start).Value;
        var pe = InstantPattern.ExtendedIso.Parse(end).Value;
        return await InsertAsync(deviceKey, classroom, ps, pe, wh, confidence, marks, onTime, reverses, rate, cost ?? wh * rate / 1000m);
    }

    public async Task<long> InsertAsync(string deviceKey, string classroom, Instant ps, Instant pe, decimal wh, string confidence, int marks,
        decimal onTime, long? reverses, decimal rate, decimal cost)
    {
        await using var conn = await Db.OpenAsync();
        return await conn.ExecuteScalarAsync<long>("""
            INSERT INTO ledger_entries (device_key, classroom, kind, period_start, period_end, local_date, energy_wh, on_time_sec, cost, currency,
                rate_per_kwh, cost_version_id, method, confidence, marks, reverses_id, created_at)
            VALUES (@deviceKey, @classroom, @kind, @ps, @pe, @date, @wh, @onTime, @cost, 'USD', @rate, @version, 'cumulative', @confidence, @marks, @reverses, now())
            RETURNING id
            """, new
        {
            deviceKey,
            classroom,
            kind = reverses is null ? "posting" : "reversal",
            ps,
            pe,
            date = Calendar.DateOf(ps),
            wh,
            onTime,
            cost,
            rate,
            version = GlobalVersionId,
            confidence,
            marks,
            reverses,
        });
    }

    /// <summary>Marks every ledger device-day dirty and runs the real aggregation job.</summary>
    public async Task AggregateAsync()
    {
        await using (var conn = await Db.OpenAsync())
        {
            await conn.ExecuteAsync("""
                INSERT INTO dirty_days (device_key, local_date, marked_at) SELECT DISTINCT device_key, local_date, now() FROM ledger_entries
                ON CONFLICT DO NOTHING
                """);
        }
        await Accounting.AggregateAllAsync(Factory.Services);
    }

    public HttpClient Client(string? apiKey)
    {
        var client = Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        return client;
    }

    public static LocalDate Date(string text) => LocalDatePattern.Iso.Parse(text).Value;

    public static string Iso(decimal d) => d.ToString(CultureInfo.InvariantCulture);
}
