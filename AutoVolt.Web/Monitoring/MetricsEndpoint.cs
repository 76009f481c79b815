using AutoVolt.Infrastructure.Auth;
using AutoVolt.Infrastructure.Monitoring;
using AutoVolt.Web.Auth;
using OpenTelemetry.Metrics;

namespace AutoVolt.Web.Monitoring;

/// <summary>OpenTelemetry metrics of meter <see cref="AutoVoltMetrics.MeterName"/> with a Prometheus scrape endpoint at <see cref="Path"/>.</summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";
    public const string Policy = "metrics";

    /// <summary>Registers the meter provider and the scrape policy: an admin (cookie or key) or any API key.</summary>
    public static IServiceCollection AddAutoVoltMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(AutoVoltMetrics.MeterName).AddPrometheusExporter());
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.RequireAssertion(ctx =>
            ctx.User.IsInRole(Roles.Admin) || ctx.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName)));
        return services;
    }

    /// <summary>Maps the Prometheus scrape endpoint (text exposition format).</summary>
    public static IEndpointConventionBuilder MapAutoVoltMetrics(this IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint(Path).RequireAuthorization(Policy);
}
