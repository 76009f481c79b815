using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using AutoVolt.Web.Tests.Support;
using Microsoft.Playwright;
using NodaTime;

namespace AutoVolt.Web.Tests.Browser;

public sealed class DashboardBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    internal static readonly DateTimeZone Kolkata = DateTimeZoneProviders.Tzdb["Asia/Kolkata"];

    /// <summary>Cumulative readings inside today's local day, 2 minutes apart, ending before now.</summary>
    internal static IReadOnlyList<(DateTimeOffset At, decimal Wh)> TodayReadings(int count, decimal startWh, decimal stepWh)
    {
        var now = SystemClock.Instance.GetCurrentInstant();
        var midnight = Kolkata.AtStartOfDay(now.InZone(Kolkata).Date).ToInstant();
        var first = Instant.Max(midnight + Duration.FromMinutes(1), now - Duration.FromMinutes(2 * count + 1));
        return Enumerable.Range(0, count)
            .Select(i => ((first + Duration.FromMinutes(2 * i)).ToDateTimeOffset(), startWh + stepWh * i))
            .ToList();
    }

    internal static async Task<decimal> ApiSummaryEnergyAsync(Uri baseAddress)
    {
        using var client = HttpAuth.NewClient(baseAddress);
        client.DefaultRequestHeaders.Add("X-Api-Key", AutoVoltAppFactory.AdminApiKey);
        var today = SystemClock.Instance.GetCurrentInstant().InZone(Kolkata).Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);
        var json = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/power-analytics/summary?date={today}", UriKind.Relative));
        return json.GetProperty("energy_wh").GetDecimal();
    }

    internal static async Task<decimal> ApiDeviceEnergyAsync(Uri baseAddress, string deviceKey)
    {
        using var client = HttpAuth.NewClient(baseAddress);
        client.DefaultRequestHeaders.Add("X-Api-Key", AutoVoltAppFactory.AdminApiKey);
        var today = SystemClock.Instance.GetCurrentInstant().InZone(Kolkata).Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);
        var json = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/power-analytics/device-breakdown?date={today}", UriKind.Relative));
        return json.GetProperty("devices").EnumerateArray().Where(d => d.GetProperty("device_key").GetString() == deviceKey)
            .Select(d => d.GetProperty("energy_wh").GetDecimal()).FirstOrDefault(-1m);
    }

    private static async Task<decimal> CardWhAsync(IPage page) =>
        decimal.Parse(await page.GetByTestId("card-today-energy").Locator(".av-energy").GetAttributeAsync("data-wh") ?? "-1", CultureInfo.InvariantCulture);

    private static async Task<decimal> ChartSumKwhAsync(IPage page)
    {
        var json = await page.GetByTestId("chart-today").GetAttributeAsync("data-series") ?? "[]";
        return JsonSerializer.Deserialize<JsonElement>(json).EnumerateArray()
            .SelectMany(s => s.GetProperty("values").EnumerateArray()).Sum(v => v.GetDecimal());
    }

    [Fact]
    public async Task Dashboard_CardEqualsApiSummaryAndChartSum_AndUpdatesLive()
    {
        await using (var board = await MqttTestClient.ConnectAsync(browser.App.MqttPort, "ESPD1"))
        {
            foreach (var (at, wh) in TodayReadings(4, 1000m, 5m))
            {
                await board.PublishAsync("autovolt/ESPD1/telemetry", MqttTestClient.Telemetry("ESPD1", "light_1", at, wh, 40m, at.ToUnixTimeSeconds()));
            }
        }
        // 3 intervals x 5 Wh, accounted by the ledger trigger (settle 0 in tests) and aggregated.
        Assert.Equal(15m, await Eventually.EqualAsync(15m, () => ApiSummaryEnergyAsync(browser.App.BaseAddress), 30_000));

        var (page, errors) = await browser.SignedInPageAsync();
        await BrowserFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("card-today")).ToBeVisibleAsync();
        Assert.Equal(15m, await CardWhAsync(page));
        Assert.Equal(0.015m, await ChartSumKwhAsync(page));
        await Assertions.Expect(page.GetByTestId("card-today-estimated")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "dashboard-with-data.png"), FullPage = true });

        // Live: one more reading (+5 Wh) shows up without a reload.
        await using (var board = await MqttTestClient.ConnectAsync(browser.App.MqttPort, "ESPD1"))
        {
            var last = TodayReadings(4, 1000m, 5m)[^1].At;
            var at = last.AddSeconds(30) < DateTimeOffset.UtcNow ? last.AddSeconds(30) : DateTimeOffset.UtcNow.AddSeconds(-1);
            await board.PublishAsync("autovolt/ESPD1/telemetry", MqttTestClient.Telemetry("ESPD1", "light_1", at, 1020m, 40m, at.ToUnixTimeSeconds()));
        }
        await Assertions.Expect(page.GetByTestId("card-today-energy").Locator(".av-energy")).ToHaveAttributeAsync("data-wh", "20.000000", new() { Timeout = 30_000 });
        Assert.Equal(20m, await ApiSummaryEnergyAsync(browser.App.BaseAddress));
        Assert.Equal(0.02m, await ChartSumKwhAsync(page));
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }
}
