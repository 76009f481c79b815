using System.Globalization;
using AutoVolt.Esp32.Simulator;
using AutoVolt.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace AutoVolt.Web.Cli;

/// <summary>Section <c>Demo</c>: a simulated fleet publishing through the embedded broker.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>On with <c>--demo</c> or <c>Demo:Enabled=true</c>.</summary>
    public bool Enabled { get; set; }

    public int Boards { get; set; } = 6;

    /// <summary>Simulated seconds per real second while catching up on the last 24 hours.</summary>
    public double TimeScale { get; set; } = 300;

    /// <summary>Inject faults (reboots, Wi-Fi loss, unsynced clocks, duplicates, reordering).</summary>
    public bool Faults { get; set; }

    public int Seed { get; set; } = 1;

    /// <summary>
    /// Rate per kWh (site currency) of the global cost version a demo creates when the database has none, so the demo shows
    /// money; 0 = create none.
    /// </summary>
    public decimal Rate { get; set; } = 8m;
}

/// <summary><c>--demo</c>: a simulated fleet (the firmware core over MQTTnet) publishing to the embedded broker.</summary>
public static partial class DemoFleet
{
    public static WebApplicationBuilder AddDemoFleet(this WebApplicationBuilder builder, string[] args)
    {
        var section = builder.Configuration.GetSection(DemoOptions.Section);
        if (args.Contains("--demo"))
        {
            section["Enabled"] = "true";
        }
        var demo = section.Get<DemoOptions>() ?? new DemoOptions();
        if (!demo.Enabled)
        {
            return builder;
        }
        var mqtt = builder.Configuration.GetSection(MqttOptions.Section).Get<MqttOptions>() ?? new MqttOptions();
        if (!mqtt.IsEmbedded)
        {
            throw new InvalidOperationException("--demo publishes through the embedded broker; it cannot be combined with Mqtt:Broker=" + mqtt.Broker);
        }
        // Numbers should show up within seconds in a demo, unless the user chose a settle window.
        if (builder.Configuration[$"{LedgerOptions.Section}:SettleSeconds"] is null)
        {
            builder.Configuration[$"{LedgerOptions.Section}:SettleSeconds"] = "5";
        }
        // Fail at startup with the setting's name rather than in the background service later.
        ToFleetOptions(demo, mqtt.ListenPort).Validate(TimeProvider.System.GetUtcNow());
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        builder.Services.AddHostedService<DemoFleetService>();
        return builder;
    }

    /// <summary>
    /// The fleet a demo runs: fault-free unless <see cref="DemoOptions.Faults"/>, classes around the clock (numbers
    /// move at any hour), periodic readings every simulated minute, catching up on the last 24 hours first.
    /// </summary>
    /// <remarks>
    /// With faults on, boards still always boot with NTP time: the demo server dates a reading without timestamp at
    /// its (real) receive time, which during the fast catch-up lies hours after the simulated capture time; such a
    /// reading would sort after the rest of the day and be counted as a counter reset. (The end-to-end test runs the
    /// unsynced-clock fault with the server on the simulated clock.)
    /// </remarks>
    public static FleetOptions ToFleetOptions(DemoOptions demo, int brokerPort)
    {
        ArgumentNullException.ThrowIfNull(demo);
        var options = new FleetOptions
        {
            BrokerHost = "127.0.0.1",
            BrokerPort = brokerPort,
            Boards = demo.Boards,
            TimeScale = demo.TimeScale,
            PublishIntervalSeconds = 60,
            Seed = demo.Seed,
            ClassesAroundTheClock = true,
        };
        if (demo.Faults)
        {
            options.WithDefaultFaults();
            options.UnsyncedClockAtBootProbability = 0;
        }
        return options;
    }

    private sealed partial class DemoFleetService(IOptions<DemoOptions> demo, IOptions<MqttOptions> mqtt, IServiceProvider services,
        ILogger<DemoFleetService> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var o = demo.Value;
            try
            {
                await EnsureDemoRateAsync(services, o.Rate, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                LogFailed(logger, ex);
            }
            await using var fleet = new SimulatedFleet(ToFleetOptions(o, mqtt.Value.ListenPort));
            LogStarting(logger, o.Boards, mqtt.Value.ListenPort, o.TimeScale.ToString(CultureInfo.InvariantCulture));
            try
            {
                await fleet.RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A demo failure must not take the application down (a background service's exception stops the host).
                LogFailed(logger, ex);
            }
        }

        /// <summary>A global rate from two local days back, created only when no cost version exists at all.</summary>
        private async Task EnsureDemoRateAsync(IServiceProvider sp, decimal rate, CancellationToken ct)
        {
            var analytics = sp.GetRequiredService<Infrastructure.Analytics.AnalyticsQueries>();
            if (rate <= 0m || (await analytics.CostVersionsAsync(ct)).Count > 0)
            {
                return;
            }
            var zone = sp.GetRequiredService<IOptions<SiteOptions>>().Value.Zone();
            var today = sp.GetRequiredService<NodaTime.IClock>().GetCurrentInstant().InZone(zone).Date;
            var created = await sp.GetRequiredService<Infrastructure.Pricing.CostVersionStore>().CreateAsync(new Infrastructure.Pricing.NewCostVersion(
                rate, today.PlusDays(-2).AtMidnight(), Scope: "global",
                Notes: "Demo rate, created by --demo because no cost version existed.", CreatedBy: "demo"), ct);
            LogDemoRate(logger, created.CostPerKwh.ToString("0.######", CultureInfo.InvariantCulture), created.Currency, created.EffectiveFrom.ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Demo: no cost version existed; created a global demo rate of {Rate} {Currency}/kWh from {EffectiveFrom} (site time)")]
        private static partial void LogDemoRate(ILogger logger, string rate, string currency, string effectiveFrom);

        [LoggerMessage(Level = LogLevel.Error, Message = "Demo fleet stopped with an error; the application keeps running")]
        private static partial void LogFailed(ILogger logger, Exception ex);

        [LoggerMessage(Level = LogLevel.Information, Message = "Demo fleet: {Boards} simulated boards publishing to the embedded broker on port {Port} (catching up on 24 h at {Scale}x)")]
        private static partial void LogStarting(ILogger logger, int boards, int port, string scale);
    }
}
