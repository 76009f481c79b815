using System.Net;
using AutoVolt.Web.Tests.Support;
using Microsoft.Playwright;

namespace AutoVolt.Web.Tests.Browser;

/// <summary>The admin page in a real browser: a new viewer and a new API key, then revocation.</summary>
public sealed class AdminBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private async Task<HttpStatusCode> SummaryStatusAsync(string apiKey)
    {
        using var client = HttpAuth.NewClient(browser.App.BaseAddress);
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        using var response = await client.GetAsync(new Uri("/api/power-analytics/summary", UriKind.Relative));
        return response.StatusCode;
    }

    [Fact]
    public async Task AdminPage_CreateViewerAndKey_ViewerHasNoAdminAndRevokedKeyIsRefused()
    {
        var (page, errors) = await browser.SignedInPageAsync();
        await BrowserFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("a[href='/admin']")).ToBeVisibleAsync();
        await page.Locator("a[href='/admin']").ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/admin", StringComparison.Ordinal));
        await BrowserFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Users & API keys");

        // A viewer (the form's default role).
        await page.Locator("#adm-user-name").FillAsync("viewer2");
        await page.Locator("#adm-user-password").FillAsync("short");
        await page.Locator("#adm-user-save").ClickAsync();
        await Assertions.Expect(page.Locator("#adm-user-error")).ToContainTextAsync("at least 8");
        await page.Locator("#adm-user-password").FillAsync("viewer2-password");
        await page.Locator("#adm-user-save").ClickAsync();
        await Assertions.Expect(page.Locator("#adm-user-message")).ToContainTextAsync("viewer2 created as viewer");
        await Assertions.Expect(page.GetByTestId("user-role-viewer2")).ToHaveTextAsync("viewer");

        // An API key, shown once.
        await page.Locator("#adm-key-name").FillAsync("ci-script");
        await page.Locator("#adm-key-create").ClickAsync();
        await Assertions.Expect(page.Locator("#adm-new-key")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^av_[0-9a-f]{48}$"));
        var key = (await page.Locator("#adm-new-key").TextContentAsync())!;
        await Assertions.Expect(page.GetByTestId("key-revoked-ci-script")).ToHaveTextAsync("active");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "admin-users-keys.png"), FullPage = true });
        Assert.Equal(HttpStatusCode.OK, await SummaryStatusAsync(key));

        // Reloading the page never shows the key again.
        await page.ReloadAsync();
        await BrowserFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("key-ci-script")).ToBeVisibleAsync();
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);

        // Revoked → refused on the next request.
        await page.Locator("[data-testid=keys-table] tr", new() { HasText = "ci-script" }).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.Locator("#adm-key-message")).ToContainTextAsync("ci-script revoked");
        await Assertions.Expect(page.GetByTestId("key-revoked-ci-script")).Not.ToHaveTextAsync("active");
        Assert.Equal(HttpStatusCode.Unauthorized, await SummaryStatusAsync(key));
        Assert.Equal(HttpStatusCode.OK, await SummaryStatusAsync(AutoVoltAppFactory.AdminApiKey));
        Assert.Empty(errors);
        await page.Context.CloseAsync();

        // The new viewer signs in, sees no admin link, and /admin is denied.
        var (viewerPage, viewerErrors) = await browser.SignedInPageAsync("viewer2", "viewer2-password");
        await BrowserFixture.WaitForCircuitAsync(viewerPage);
        await Assertions.Expect(viewerPage.Locator("#signed-in-user")).ToHaveTextAsync("viewer2");
        await Assertions.Expect(viewerPage.Locator("a[href='/reviews']")).ToBeVisibleAsync();
        await Assertions.Expect(viewerPage.Locator("a[href='/admin']")).ToHaveCountAsync(0);
        await viewerPage.GotoAsync("/admin");
        await viewerPage.WaitForURLAsync(url => url.Contains("/access-denied", StringComparison.Ordinal));
        await Assertions.Expect(viewerPage.Locator("#access-denied")).ToBeVisibleAsync();
        await Assertions.Expect(viewerPage.Locator("#adm-user-save")).ToHaveCountAsync(0);
        await viewerPage.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "admin-denied-for-viewer.png"), FullPage = true });
        Assert.Empty(viewerErrors);
        await viewerPage.Context.CloseAsync();
    }
}
