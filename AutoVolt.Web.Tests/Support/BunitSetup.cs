using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Analytics;
using AutoVolt.Infrastructure.Auth;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ledger;
using AutoVolt.Infrastructure.Pricing;
using AutoVolt.Infrastructure.Reconciliation;
using Bunit;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using NodaTime;
using NodaTime.Testing;

namespace AutoVolt.Web.Tests.Support;

/// <summary>
/// The one bUnit setup for page tests: MudBlazor services, loose JS interop, an interactive server renderer, a NodaTime
/// <see cref="FakeClock"/> (the only fake) and, when a database is given, the real query/store classes against it
/// (Asia/Kolkata, INR — the site defaults).
/// </summary>
public static class BunitSetup
{
    /// <summary>2025-11-20 12:00 in Asia/Kolkata.</summary>
    public static readonly Instant DefaultNow = Instant.FromUtc(2025, 11, 20, 6, 30);

    /// <summary>
    /// A context with every service registered; <paramref name="role"/> signs in <paramref name="userName"/> with the claims
    /// the app gives that role (admin ⊃ operator ⊃ viewer); null renders anonymously.
    /// </summary>
    public static BunitContext Create(AutoVoltDatabase? db = null, Instant? now = null, string? role = null, string userName = "someone")
    {
        var ctx = new BunitContext();
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddSingleton<IClock>(new FakeClock(now ?? DefaultNow));
        ctx.Services.AddSingleton(Options.Create(new SiteOptions()));
        ctx.Services.AddSingleton(Options.Create(new LedgerOptions()));
        if (db is not null)
        {
            ctx.Services.AddSingleton(db);
            ctx.Services.AddSingleton<AggregationNotifier>();
            ctx.Services.AddSingleton<AnalyticsQueries>();
            ctx.Services.AddSingleton<OverviewQueries>();
            ctx.Services.AddSingleton<FleetQueries>();
            ctx.Services.AddSingleton<CostVersionStore>();
            ctx.Services.AddSingleton<UserStore>();
            ctx.Services.AddTransient<AggregationJob>();
            ctx.Services.AddTransient<LedgerJob>();
            ctx.Services.AddTransient<RecalculationJob>();
            ctx.Services.AddTransient<ReviewTicketStore>();
            // Real Hangfire storage on the test database (pages only enqueue; nothing runs the jobs here).
            ctx.Services.AddSingleton<IBackgroundJobClient>(_ =>
            {
                // Hangfire logs through a static provider; an earlier app factory in this process may have left it pointing at
                // its disposed LoggerFactory.
                Hangfire.Logging.LogProvider.SetCurrentLogProvider(SilentHangfireLog.Instance);
                var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true };
                return new BackgroundJobClient(new PostgreSqlStorage(new NpgsqlConnectionFactory(db.ConnectionString, options), options));
            });
        }
        if (role is not null)
        {
            var auth = ctx.AddAuthorization();
            auth.SetAuthorized(userName);
            auth.SetRoles([.. Roles.Implied(role)]);
        }
        // Pages load from PostgreSQL; the first query of a run (JIT, pool) can take longer than bUnit's 1 s default.
        BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        // Last: it resolves services, after which none can be added.
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return ctx;
    }

    private sealed class SilentHangfireLog : Hangfire.Logging.ILogProvider, Hangfire.Logging.ILog
    {
        public static readonly SilentHangfireLog Instance = new();

        public Hangfire.Logging.ILog GetLogger(string name) => this;

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
