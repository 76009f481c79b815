using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ingestion;
using AutoVolt.Infrastructure.Jobs;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoVolt.Infrastructure;

public static class InfrastructureRegistration
{
    /// <summary>
    /// Resolves the database (embedded PostgreSQL when no connection string is configured),
    /// applies migrations, and registers the data source, the broker, ingestion and Hangfire.
    /// </summary>
    public static IHostApplicationBuilder AddAutoVoltInfrastructure(this IHostApplicationBuilder builder, ILoggerFactory startupLogging)
    {
        var services = builder.Services;
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section).ValidateDataAnnotations()
            .Validate(o => NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(o.TimeZone) is not null, "Site:TimeZone must be an IANA time zone id (e.g. Asia/Kolkata)")
            .ValidateOnStart();
        services.AddOptions<LedgerOptions>().BindConfiguration(LedgerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.IsEmbedded || Uri.TryCreate(o.Broker, UriKind.Absolute, out var u) && (u.Scheme is "mqtt" or "mqtts"), "Mqtt:Broker must be 'embedded' or mqtt://host:port / mqtts://host:port")
            .ValidateOnStart();
        services.AddOptions<EmbeddedOptions>().BindConfiguration(EmbeddedOptions.Section);
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);

        var database = ResolveDatabase(builder, startupLogging);
        // Registered through a factory so the container disposes it (and its connection pool) with the host.
        services.AddSingleton(_ => database);

        // Hosted services stop in reverse order: brokers/ingestion stop before the pipeline drains,
        // and the embedded PostgreSQL (registered earlier) stops last.
        services.AddSingleton<IngestionBatchWriter>();
        services.AddSingleton<BoardCredentialStore>();
        services.AddSingleton<IngestionPipeline>();
        services.AddSingleton<IIngestionStatistics>(sp => sp.GetRequiredService<IngestionPipeline>());
        services.AddHostedService(sp => sp.GetRequiredService<IngestionPipeline>());
        var mqtt = builder.Configuration.GetSection(MqttOptions.Section).Get<MqttOptions>() ?? new MqttOptions();
        if (mqtt.IsEmbedded)
        {
            services.AddSingleton<EmbeddedBroker>();
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
            if (mqtt.IngestEnabled)
            {
                services.AddHostedService<EmbeddedIngestion>();
            }
        }
        else if (mqtt.IngestEnabled)
        {
            services.AddSingleton<MqttIngestionWorker>();
            services.AddSingleton<IIngestionStatus>(sp => sp.GetRequiredService<MqttIngestionWorker>());
            services.AddHostedService(sp => sp.GetRequiredService<MqttIngestionWorker>());
        }

        services.AddHangfire(cfg => cfg
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(database.ConnectionString), new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = TimeSpan.FromSeconds(1),
                InvisibilityTimeout = TimeSpan.FromMinutes(30),
                DistributedLockTimeout = TimeSpan.FromMinutes(1),
                UseSlidingInvisibilityTimeout = true,
            }));
        services.AddHangfireServer(o =>
        {
            o.WorkerCount = Math.Max(2, Environment.ProcessorCount);
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            o.Queues = JobQueues.All;
        });
        services.AddHostedService<RecurringJobsRegistrar>();
        services.AddSingleton<Aggregation.AggregationNotifier>();
        services.AddTransient<Ledger.LedgerJob>();
        services.AddTransient<Aggregation.AggregationJob>();
        services.AddHostedService<Ledger.LedgerTrigger>();
        services.AddSingleton<Analytics.AnalyticsQueries>();
        services.AddSingleton<Analytics.CsvExport>();
        services.AddSingleton<Pricing.CostVersionStore>();
        services.AddTransient<Migration.LegacyMigrator>();
        services.AddOptions<Reconciliation.ReconciliationOptions>().BindConfiguration(Reconciliation.ReconciliationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddTransient<Reconciliation.ReconciliationJob>();
        services.AddTransient<Reconciliation.ReviewTicketStore>();
        services.AddTransient<Ledger.RecalculationJob>();
        services.AddMetrics();
        services.AddSingleton<Monitoring.AutoVoltMetrics>();
        services.AddHostedService<Monitoring.MetricsSampler>();
        return builder;
    }

    private static AutoVoltDatabase ResolveDatabase(IHostApplicationBuilder builder, ILoggerFactory startupLogging)
    {
        var logger = startupLogging.CreateLogger("AutoVolt.Database");
        var cs = builder.Configuration.GetConnectionString("AutoVolt");
        if (string.IsNullOrWhiteSpace(cs))
        {
            var dir = builder.Configuration[$"{EmbeddedOptions.Section}:DataDirectory"];
            if (string.IsNullOrWhiteSpace(dir))
            {
                dir = EmbeddedPostgres.DefaultDataDirectory();
            }
            var pg = EmbeddedPostgres.Start(dir, logger);
            // Registered first so that, hosted services stopping in reverse order, PostgreSQL stops last.
            builder.Services.AddSingleton(pg);
            builder.Services.AddHostedService<EmbeddedPostgresLifetime>();
            cs = pg.ConnectionStringFor("autovolt");
        }
        var applied = MigrationRunner.Migrate(cs, logger);
        logger.LogInformation("Database ready ({Applied} migration(s) applied now)", applied.Count);
        return new AutoVoltDatabase(cs);
    }

    private sealed class EmbeddedPostgresLifetime(EmbeddedPostgres pg) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            pg.Stop();
            return Task.CompletedTask;
        }
    }
}
