using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using AutoVolt.Web.Tests.Support;
using Microsoft.Playwright;
using NodaTime;

namespace AutoVolt.Web.Tests.Browser;

/// <summary>The staff path: a rate created in the past → preview → confirm → cards and CSV show the new cost.</summary>
public sealed class CostRecalculationBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static LocalDate Today => SystemClock.Instance.GetCurrentInstant().InZone(DashboardBrowserTests.Kolkata).Date;

    private static string Iso(LocalDate d) => d.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);

    private HttpClient AdminClient()
    {
        var client = HttpAuth.NewClient(browser.App.BaseAddress);
        client.DefaultRequestHeaders.Add("X-Api-Key", AutoVoltAppFactory.AdminApiKey);
        return client;
    }

    private async Task<decimal> SummaryCostAsync()
    {
        using var client = AdminClient();
        var json = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/power-analytics/summary?date={Iso(Today)}", UriKind.Relative));
        return json.GetProperty("cost").GetDecimal();
    }

    private async Task<decimal> CsvCostAsync()
    {
        using var client = AdminClient();
        var csv = await client.GetStringAsync(new Uri($"/api/power-analytics/export-csv?start={Iso(Today)}&end={Iso(Today)}", UriKind.Relative));
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var costIndex = Array.IndexOf(lines[0].Split(','), "cost");
        return lines.Skip(1).Sum(l => decimal.Parse(l.Split(',')[costIndex], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task RateInThePast_PreviewConfirm_CardsAndCsvShowTheNewCost()
    {
        using (var client = AdminClient())
        {
            var created = await client.PostAsJsonAsync(new Uri("/api/power-analytics/cost-versions", UriKind.Relative),
                new { cost_per_kwh = 8m, effective_from = "2025-01-01T00:00", scope = "global", notes = "initial tariff" });
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        }
        await using (var board = await MqttTestClient.ConnectAsync(browser.App.MqttPort, "ESPR1"))
        {
            foreach (var (at, wh) in DashboardBrowserTests.TodayReadings(4, 2000m, 5m))
            {
                await board.PublishAsync("autovolt/ESPR1/telemetry", MqttTestClient.Telemetry("ESPR1", "light_1", at, wh, 40m, at.ToUnixTimeSeconds()));
            }
        }
        // 15 Wh at 8 INR/kWh.
        Assert.Equal(0.12m, await Eventually.EqualAsync(0.12m, SummaryCostAsync, 30_000));

        var (page, errors) = await browser.SignedInPageAsync();
        await page.GotoAsync("/cost-versions");
        await BrowserFixture.WaitForCircuitAsync(page);
        await page.Locator("#cv-rate").FillAsync("10");
        await page.Locator("#cv-effective").FillAsync($"{Iso(Today.PlusDays(-1))} 00:00");
        await page.Locator("#cv-notes").FillAsync("new tariff");
        await page.Locator("#cv-create").ClickAsync();
        await Assertions.Expect(page.Locator("#cv-created")).ToContainTextAsync("reaches into energy already accounted");
        await Assertions.Expect(page.GetByTestId("versions-table")).ToContainTextAsync("new tariff");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "cost-versions.png"), FullPage = true });

        await page.Locator("#cv-recalculate").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/recalculate", StringComparison.Ordinal));
        await BrowserFixture.WaitForCircuitAsync(page);
        await page.Locator("#rc-preview").ClickAsync();
        // 15 Wh × (10 − 8) / 1000 = 0.03 INR more.
        await Assertions.Expect(page.Locator("#rc-difference")).ToHaveAttributeAsync("data-amount", new System.Text.RegularExpressions.Regex(@"^0\.030*$"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "recalculate-preview.png"), FullPage = true });
        await page.Locator("#rc-apply").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#rc-done")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#rc-job-link")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/hangfire/jobs/details/"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "recalculate-done.png"), FullPage = true });

        Assert.Equal(0.15m, await SummaryCostAsync());
        Assert.Equal(0.15m, await CsvCostAsync());
        await page.GotoAsync("/");
        await BrowserFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("card-today-cost").Locator(".av-money")).ToHaveAttributeAsync("data-amount", new System.Text.RegularExpressions.Regex(@"^0\.150*$"));
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }
}
