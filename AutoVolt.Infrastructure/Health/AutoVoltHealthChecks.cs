using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ingestion;
using Dapper;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AutoVolt.Infrastructure.Health;

/// <summary>Health checks behind /healthz: PostgreSQL, the MQTT broker/ingestion, Hangfire.</summary>
public static class AutoVoltHealthChecks
{
    public static IHealthChecksBuilder AddAutoVoltHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("postgresql")
            .AddCheck<BrokerCheck>("mqtt")
            .AddCheck<HangfireCheck>("hangfire");

    private sealed class DatabaseCheck(AutoVoltDatabase db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var conn = await db.OpenAsync(cancellationToken);
                var version = await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT max(scriptname) FROM schemaversions", cancellationToken: cancellationToken));
                return HealthCheckResult.Healthy($"schema {version}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL unreachable", ex);
            }
        }
    }

    private sealed class BrokerCheck(IServiceProvider services, IOptions<MqttOptions> options) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (options.Value.IsEmbedded)
            {
                var broker = services.GetService<EmbeddedBroker>();
                return Task.FromResult(broker is { IsRunning: true }
                    ? HealthCheckResult.Healthy($"embedded broker on port {broker.Port}")
                    : HealthCheckResult.Unhealthy("embedded broker not running"));
            }
            var ingest = services.GetService<IIngestionStatus>();
            return Task.FromResult(ingest switch
            {
                null => HealthCheckResult.Healthy("external broker; ingestion disabled in this instance"),
                { Connected: true } => HealthCheckResult.Healthy($"connected to {options.Value.Broker}"),
                _ => HealthCheckResult.Unhealthy($"not connected to {options.Value.Broker}"),
            });
        }
    }

    private sealed class HangfireCheck(JobStorage storage) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var servers = storage.GetMonitoringApi().Servers();
                return Task.FromResult(servers.Count > 0
                    ? HealthCheckResult.Healthy($"{servers.Count} server(s)")
                    : HealthCheckResult.Degraded("no Hangfire server is running"));
            }
            catch (Exception ex)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("Hangfire storage unreachable", ex));
            }
        }
    }
}
