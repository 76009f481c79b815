using AutoVolt.Infrastructure.Analytics;
using AutoVolt.Infrastructure.Auth;
using AutoVolt.Infrastructure.Health;
using AutoVolt.Web.Api;
using AutoVolt.Web.Auth;
using AutoVolt.Web.Components;
using AutoVolt.Web.Monitoring;
using Hangfire;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using MudBlazor.Services;
using NodaTime;

namespace AutoVolt.Web;

public static class WebRegistration
{
    private const string SmartScheme = "CookieOrApiKey";

    public static WebApplicationBuilder AddAutoVoltWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // The composition root is the only place that knows the real clock.
        services.AddSingleton<IClock>(NodaTime.SystemClock.Instance);
        services.AddSingleton<UserStore>();
        services.AddSingleton<OverviewQueries>();
        services.AddSingleton<FleetQueries>();
        services.AddHostedService<AuthBootstrapper>();

        services.AddAuthentication(SmartScheme)
            .AddPolicyScheme(SmartScheme, SmartScheme, o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/access-denied";
                o.Cookie.Name = "autovolt.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.Operator, p => p.RequireRole(Roles.Operator))
            .AddPolicy(Roles.Admin, p => p.RequireRole(Roles.Admin));
        services.AddCascadingAuthenticationState();
        services.AddProblemDetails();
        services.AddPowerAnalyticsApi();
        services.AddAutoVoltHealthChecks();

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddAutoVoltMetrics();
        return builder;
    }

    private static Task ApiAware(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/healthz") || ctx.Request.Path.StartsWithSegments(MetricsEndpoint.Path))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    public static WebApplication UseAutoVoltWeb(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new HangfireDashboardAuthFilter()],
            DashboardTitle = "AutoVolt jobs",
            AppPath = "/",
        });

        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = HealthWriter.WriteAsync }).AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapPowerAnalyticsApi();
        app.MapAutoVoltMetrics();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
