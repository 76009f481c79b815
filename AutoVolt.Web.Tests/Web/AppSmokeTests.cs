using System.Net;
using System.Text.Json;
using AutoVolt.Infrastructure.Auth;
using AutoVolt.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AutoVolt.Web.Tests.Web;

public sealed class AppFixture : IAsyncLifetime
{
    public AutoVoltAppFactory Factory { get; } = new();

    public Task InitializeAsync()
    {
        Factory.StartOnRealPort();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

public sealed class AppSmokeTests(AppFixture app) : IClassFixture<AppFixture>
{
    private Uri Base => app.Factory.BaseAddress;

    [Fact]
    public async Task Healthz_AllChecksHealthy()
    {
        using var client = HttpAuth.NewClient(Base);
        JsonElement body = default;
        for (var i = 0; i < 40; i++)
        {
            using var res = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            body = JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement;
            if (res.StatusCode == HttpStatusCode.OK && body.GetProperty("status").GetString() == "Healthy")
            {
                break;
            }
            await Task.Delay(250);
        }
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        foreach (var check in new[] { "postgresql", "mqtt", "hangfire" })
        {
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty(check).GetProperty("status").GetString());
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/devices")]
    [InlineData("/health")]
    public async Task Pages_Anonymous_RedirectToLogin(string path)
    {
        using var client = HttpAuth.NewClient(Base);
        using var res = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        Assert.StartsWith("/login", res.Headers.Location!.IsAbsoluteUri ? res.Headers.Location.PathAndQuery : res.Headers.Location.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hangfire_AdminAllowed_OthersRefused()
    {
        var users = app.Factory.Services.GetRequiredService<UserStore>();
        var viewerKey = await users.CreateApiKeyAsync("viewer-" + Guid.NewGuid().ToString("N")[..6], Roles.Viewer);
        var operatorKey = await users.CreateApiKeyAsync("operator-" + Guid.NewGuid().ToString("N")[..6], Roles.Operator);

        using var anonymous = HttpAuth.NewClient(Base);
        using (var res = await anonymous.GetAsync(new Uri("/hangfire", UriKind.Relative)))
        {
            Assert.NotEqual(HttpStatusCode.OK, res.StatusCode);
        }
        foreach (var key in new[] { viewerKey, operatorKey, "wrong-key" })
        {
            using var client = HttpAuth.NewClient(Base);
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            using var res = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));
            Assert.True(res.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{key}: {res.StatusCode}");
        }
        using var admin = HttpAuth.NewClient(Base);
        admin.DefaultRequestHeaders.Add("X-Api-Key", AutoVoltAppFactory.AdminApiKey);
        using var ok = await admin.GetAsync(new Uri("/hangfire", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("AutoVolt jobs", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_AdminThroughForm_ThenHangfireAndPagesOpen()
    {
        using var client = HttpAuth.NewClient(Base);
        using var login = await HttpAuth.SignInAsync(client, "admin", AutoVoltAppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);

        using var page = await client.GetAsync(new Uri("/devices", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var jobs = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
    }

    [Fact]
    public async Task SignIn_ViewerThroughForm_HangfireRefused()
    {
        var users = app.Factory.Services.GetRequiredService<UserStore>();
        await users.CreateOrUpdateUserAsync("viewer1", "viewer-password", Roles.Viewer);
        using var client = HttpAuth.NewClient(Base);
        using var login = await HttpAuth.SignInAsync(client, "viewer1", "viewer-password");
        Assert.Equal("/", login.Headers.Location!.OriginalString);
        using var jobs = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, jobs.StatusCode);
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_LocksAccount()
    {
        var users = app.Factory.Services.GetRequiredService<UserStore>();
        await users.CreateOrUpdateUserAsync("locky", "right-password", Roles.Viewer);
        using var client = HttpAuth.NewClient(Base);
        for (var i = 0; i < UserStore.MaxFailedAttempts; i++)
        {
            using var bad = await HttpAuth.SignInAsync(client, "locky", "wrong-password");
            Assert.StartsWith("/login?error=", bad.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        using var locked = await HttpAuth.SignInAsync(client, "locky", "right-password");
        Assert.StartsWith("/login?error=locked", locked.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }
}
