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
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        builder.Services.AddHostedService<DemoFleetService>();
        return builder;
    }

    private sealed partial class DemoFleetService(IOptions<DemoOptions> demo, IOptions<MqttOptions> mqtt, ILogger<DemoFleetService> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var o = demo.Value;
            var options = new FleetOptions
            {
                BrokerHost = "127.0.0.1",
                BrokerPort = mqtt.Value.ListenPort,
                Boards = o.Boards,
                TimeScale = o.TimeScale,
                PublishIntervalSeconds = 60,
                Seed = o.Seed,
                ClassesAroundTheClock = true,
            };
            if (o.Faults)
            {
                options.WithDefaultFaults();
            }
            await using var fleet = new SimulatedFleet(options);
            LogStarting(logger, o.Boards, mqtt.Value.ListenPort, o.TimeScale.ToString(CultureInfo.InvariantCulture));
            try
            {
                await fleet.RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Demo fleet: {Boards} simulated boards publishing to the embedded broker on port {Port} (catching up on 24 h at {Scale}x)")]
        private static partial void LogStarting(ILogger logger, int boards, int port, string scale);
    }
}
