using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using AutoVolt.Web.Tests.Support;

namespace AutoVolt.Web.Tests.Web;

public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private readonly AutoVoltAppFactory _factory = new();

    public Task InitializeAsync()
    {
        _ = _factory.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task<(HttpStatusCode Status, string Body)> ScrapeAsync(string? apiKey)
    {
        using var client = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        using var res = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        return (res.StatusCode, await res.Content.ReadAsStringAsync());
    }

    private static long Value(string body, string metric)
    {
        var m = Regex.Match(body, "^" + metric + @"(\{[^}]*\})? (\d+(\.\d+)?)", RegexOptions.Multiline);
        return m.Success ? (long)double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : -1;
    }

    [Fact]
    public async Task Metrics_WithoutCredentials_401_WithApiKey_PrometheusTextWithReadingsCounted()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await ScrapeAsync(null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ScrapeAsync("wrong-key")).Status);

        await using (var board = await MqttTestClient.ConnectAsync(_factory.MqttPort, "METR1"))
        {
            var t = new DateTimeOffset(2025, 11, 5, 6, 0, 0, TimeSpan.Zero);
            await board.PublishAsync("autovolt/METR1/telemetry", MqttTestClient.Telemetry("METR1", "light_1", t, 10m, 40m, 1));
            await board.PublishAsync("autovolt/METR1/telemetry", MqttTestClient.Telemetry("METR1", "light_1", t.AddMinutes(5), 12m, 40m, 2));
            await board.PublishAsync("autovolt/METR1/telemetry", MqttTestClient.Telemetry("METR1", "light_1", t.AddMinutes(5), 12m, 40m, 2));
        }

        var received = await Eventually.EqualAsync(2L, async () => Value((await ScrapeAsync(AutoVoltAppFactory.AdminApiKey)).Body, "autovolt_readings_received_total"));
        Assert.Equal(2L, received);
        var (status, body) = await ScrapeAsync(AutoVoltAppFactory.AdminApiKey);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1L, Value(body, "autovolt_readings_duplicate_total"));
        foreach (var gauge in new[] { "autovolt_readings_unaccounted", "autovolt_ledger_rows", "autovolt_quarantine_rows", "autovolt_review_tickets_open", "autovolt_jobs" })
        {
            Assert.True(Value(body, gauge) >= 0, gauge + " missing in:\n" + body);
        }
        Assert.True(Value(body, "autovolt_metrics_sampled_at_seconds") > 1_700_000_000, body);
        Assert.Contains("state=\"failed\"", body);
    }
}
