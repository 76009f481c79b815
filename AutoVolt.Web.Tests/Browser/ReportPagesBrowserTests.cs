using System.Globalization;
using AutoVolt.Web.Tests.Support;
using Microsoft.Playwright;
using NodaTime;

namespace AutoVolt.Web.Tests.Browser;

public sealed class ReportPagesBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task MonthlyTimelineBreakdown_AgreeWithTheApiSummary()
    {
        await using (var board = await MqttTestClient.ConnectAsync(browser.App.MqttPort, "ESPD2"))
        {
            foreach (var (at, wh) in DashboardBrowserTests.TodayReadings(3, 500m, 7m))
            {
                await board.PublishAsync("autovolt/ESPD2/telemetry", MqttTestClient.Telemetry("ESPD2", "fan_1", at, wh, 70m, at.ToUnixTimeSeconds(), classroom: "CR-202"));
            }
        }
        Assert.Equal(14m, await Eventually.EqualAsync(14m, () => DashboardBrowserTests.ApiDeviceEnergyAsync(browser.App.BaseAddress, "ESPD2/fan_1"), 30_000));
        var apiWh = await DashboardBrowserTests.ApiSummaryEnergyAsync(browser.App.BaseAddress);
        var today = SystemClock.Instance.GetCurrentInstant().InZone(DashboardBrowserTests.Kolkata).Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);

        var (page, errors) = await browser.SignedInPageAsync();
        await page.GotoAsync("/monthly");
        await BrowserFixture.WaitForCircuitAsync(page);
        var cell = page.Locator($".av-cal-cell[data-date='{today}']");
        await Assertions.Expect(cell).ToBeVisibleAsync();
        Assert.Equal(apiWh, decimal.Parse(await cell.GetAttributeAsync("data-wh") ?? "-1", CultureInfo.InvariantCulture));
        await cell.ClickAsync();
        await Assertions.Expect(page.GetByTestId("day-detail")).ToContainTextAsync(today);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "monthly-with-data.png"), FullPage = true });

        await page.GotoAsync("/breakdown");
        await BrowserFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("breakdown-table")).ToContainTextAsync("ESPD2/fan_1");
        var totalWh = decimal.Parse(await page.GetByTestId("breakdown-total").Locator(".av-energy").GetAttributeAsync("data-wh") ?? "-1", CultureInfo.InvariantCulture);
        Assert.Equal(apiWh, totalWh);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "breakdown-with-data.png"), FullPage = true });

        await page.GotoAsync("/timeline");
        await BrowserFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("chart-timeline")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "timeline-with-data.png"), FullPage = true });
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }
}
