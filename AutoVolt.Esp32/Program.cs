using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using AutoVolt.Esp32.Simulator;

namespace AutoVolt.Esp32;

/// <summary>
/// Device simulator CLI:
/// <c>dotnet run --project AutoVolt.Esp32 -- --boards 20 --broker mqtt://127.0.0.1:1883 [--time-scale 60] [--duration 30s] [--seed 1] [--faults]</c>.
/// Exit codes: 0 done, 2 bad arguments, 1 unexpected failure.
/// </summary>
public static class Program
{
    /// <summary>Usage text printed with argument errors and for <c>--help</c>.</summary>
    public const string Usage = """
        Usage: AutoVolt.Esp32 [options]
          --broker <uri>            mqtt://host:port or mqtts://host:port (default mqtt://127.0.0.1:1883)
          --boards <n>              number of boards ESP01.., 1..999 (default 20)
          --time-scale <x>          simulated seconds per real second, > 0 (default 1); above 1 the fleet
                                    starts 24 h in the past and runs fast until it reaches the present
          --duration <d>            stop after d real time: 90, 30s, 5m, 2h (default: until Ctrl+C)
          --seed <n>                random seed (default 1)
          --publish-interval <s>    periodic telemetry interval, simulated seconds (default 10)
          --faults                  inject reboots, Wi-Fi loss, unsynced clocks, duplicates, reordering, bursts
          --around-the-clock        classes every hour (for demos outside school hours)
          --stats-every <d>         stats line interval (default 5s)
          --help                    this text
        Boards log in with user name = board name. Set AUTOVOLT_SIM_PASSWORD for a development broker.
        """;

    /// <summary>Entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        CliArguments parsed;
        try
        {
            parsed = CliArguments.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        if (parsed.Help)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        parsed.Options.Password = Environment.GetEnvironmentVariable("AUTOVOLT_SIM_PASSWORD");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        if (parsed.Duration is { } duration)
        {
            stop.CancelAfter(duration);
        }

        try
        {
            await using var fleet = new SimulatedFleet(parsed.Options);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"AutoVolt simulator: {parsed.Options.Boards} boards -> {parsed.Options.BrokerHost}:{parsed.Options.BrokerPort}, time scale {parsed.Options.TimeScale}, seed {parsed.Options.Seed}, faults {(parsed.Faults ? "on" : "off")}"));
            Task run = fleet.RunAsync(stop.Token);
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(parsed.StatsEvery, CancellationToken.None)).ConfigureAwait(false);
                Console.WriteLine(fleet.Stats.ToString());
            }

            await run.ConfigureAwait(false);
            return 0;
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return 2;
        }
    }
}
