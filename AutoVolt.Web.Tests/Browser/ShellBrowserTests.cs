using AutoVolt.Web.Tests.Support;
using Microsoft.Playwright;

namespace AutoVolt.Web.Tests.Browser;

public sealed class ShellBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData("/", "Dashboard")]
    [InlineData("/devices", "Devices")]
    [InlineData("/breakdown", "Device breakdown")]
    [InlineData("/timeline", "Timeline")]
    [InlineData("/monthly", "Monthly")]
    [InlineData("/cost-versions", "Cost versions")]
    [InlineData("/recalculate", "Recalculate")]
    [InlineData("/reviews", "Reviews")]
    [InlineData("/health", "Health")]
    [InlineData("/admin", "Users & API keys")]
    public async Task Page_SignedIn_RendersWithoutConsoleErrors(string path, string heading)
    {
        var (page, errors) = await browser.SignedInPageAsync();
        await page.GotoAsync(path);
        await BrowserFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(heading);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, $"page-{heading.Replace(" & ", "-", StringComparison.Ordinal).Replace(' ', '-').ToLowerInvariant()}.png"), FullPage = true });
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Dashboard_NoReadings_ShowsHonestEmptyState()
    {
        var (page, errors) = await browser.SignedInPageAsync();
        await BrowserFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("empty-state")).ToContainTextAsync("No readings yet");
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Login_WrongPassword_ShowsErrorAndStaysOnLogin()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = browser.App.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/devices");
        await page.WaitForURLAsync(url => url.Contains("/login", StringComparison.Ordinal));
        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("#sign-in");
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("Wrong user name or password");
        await context.CloseAsync();
    }
}
