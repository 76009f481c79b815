using AutoVolt.Web.Tests.Support;
using Microsoft.Playwright;

namespace AutoVolt.Web.Tests.Browser;

public sealed class DevicesHealthBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private async Task SeedAsync()
    {
        await using var board = await MqttTestClient.ConnectAsync(browser.App.MqttPort, "ESPB1");
        await board.PublishAsync("autovolt/ESPB1/status", "online", retain: true);
        await board.PublishAsync("autovolt/ESPB1/telemetry", MqttTestClient.Telemetry("ESPB1", "light_1", DateTimeOffset.UtcNow.AddMinutes(-3), 10m, 40m, 1, classroom: "CR-201"));
        await board.PublishAsync("autovolt/ESPB1/telemetry", "{\"esp32_name\":\"ESPB1\",\"device_id\":\"light_1\",\"power_w\":\"forty\"}");
    }

    [Fact]
    public async Task DevicesAndHealth_ShowBoardDeviceAndQuarantinedMessage()
    {
        await SeedAsync();
        var (page, errors) = await browser.SignedInPageAsync();
        await page.GotoAsync("/devices");
        await BrowserFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("boards-table")).ToContainTextAsync("ESPB1");
        await Assertions.Expect(page.GetByTestId("boards-table")).ToContainTextAsync("CR-201");
        await Assertions.Expect(page.GetByTestId("boards-table")).ToContainTextAsync("online");
        await Assertions.Expect(page.GetByTestId("devices-table")).ToContainTextAsync("ESPB1/light_1");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "devices-with-data.png"), FullPage = true });

        await page.GotoAsync("/health");
        await BrowserFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("check-postgresql")).ToContainTextAsync("Healthy");
        await Assertions.Expect(page.GetByTestId("quarantine-table")).ToContainTextAsync("power_w");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "health-with-data.png"), FullPage = true });
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }
}
