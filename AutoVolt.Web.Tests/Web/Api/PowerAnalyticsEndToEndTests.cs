using System.Net;
using System.Text.Json;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AutoVolt.Web.Tests.Web.Api;

public sealed class EndToEndAnalyticsFixture : IAsyncLifetime
{
    public AutoVoltAppFactory Factory { get; } = new AutoVoltAppFactory().With("Site:TimeZone", "America/New_York").With("Site:Currency", "USD");

    public async Task InitializeAsync()
    {
        _ = Factory.Server;
        await using var conn = await Factory.Services.GetRequiredService<AutoVoltDatabase>().OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO cost_versions (cost_per_kwh, currency, effective_from, effective_at, scope, created_at)
            VALUES (0.2, 'USD', '2025-01-01T00:00', '2025-01-01T05:00Z', 'global', now())
            """);
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

/// <summary>MQTT → ingestion → LedgerJob → AggregationJob → API, across the repeated 01:00 hour of 2025-11-02 in New York.</summary>
public sealed class PowerAnalyticsEndToEndTests(EndToEndAnalyticsFixture app) : IClassFixture<EndToEndAnalyticsFixture>
{
    [Fact]
    public async Task MqttReadingsOverFallBackHour_ApiSummaryTimelineAndCsvAgree()
    {
        // Cumulative meter every 5 min from 04:52:30Z (00:52:30 EDT) to 06:52:30Z (01:52:30 EST), +2.5 Wh per step.
        var t0 = new DateTimeOffset(2025, 11, 2, 4, 52, 30, TimeSpan.Zero);
        await using (var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "ESPNY"))
        {
            for (int k = 0; k <= 24; k++)
            {
                await board.PublishAsync("autovolt/ESPNY/telemetry", MqttTestClient.Telemetry("ESPNY", "heater", t0.AddMinutes(5 * k), 1000m + 2.5m * k, 30m, k + 1, classroom: "NY-1"));
            }
        }
        await Accounting.AccountAllAsync(app.Factory.Services);
        using var client = app.Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AutoVoltAppFactory.AdminApiKey);

        var summary = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/power-analytics/summary?date=2025-11-02&classroom=NY-1", UriKind.Relative))).RootElement;
        var timeline = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/power-analytics/timeline?start=2025-11-02&end=2025-11-02&bucket=60&classroom=NY-1", UriKind.Relative))).RootElement;
        using var csv = await client.GetAsync(new Uri("/api/power-analytics/export-csv?start=2025-11-02&end=2025-11-02", UriKind.Relative));
        var csvLines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(60m, summary.GetProperty("energy_wh").GetDecimal());
        Assert.Equal(0.012m, summary.GetProperty("cost").GetDecimal());
        Assert.Equal(60m, summary.GetProperty("energy_by_confidence").GetProperty("high").GetDecimal());
        var buckets = timeline.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("energy_wh").GetDecimal()).ToArray();
        Assert.Equal(25, buckets.Length);
        // 04:52:30–04:57:30 + half of 04:57:30–05:02:30 | half + 11 rows + half | half + 10 rows
        Assert.Equal([3.75m, 30m, 26.25m], buckets[..3]);
        Assert.Equal(60m, buckets.Sum());
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var row = Assert.Single(csvLines[1..]).Split(',');
        Assert.Equal(("2025-11-02", "NY-1", "ESPNY/heater", 60m), (row[0], row[1], row[4], decimal.Parse(row[5], System.Globalization.CultureInfo.InvariantCulture)));
    }
}
