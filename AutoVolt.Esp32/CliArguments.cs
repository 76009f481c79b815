using System;
using System.Globalization;
using AutoVolt.Esp32.Simulator;

namespace AutoVolt.Esp32;

/// <summary>Parsed simulator command line; <see cref="Parse"/> throws <see cref="ArgumentException"/> with a readable message.</summary>
public sealed class CliArguments
{
    private CliArguments()
    {
    }

    /// <summary>Fleet settings from the arguments.</summary>
    public FleetOptions Options { get; } = new() { Seed = 1 };

    /// <summary>Real-time run length; null = until cancelled.</summary>
    public TimeSpan? Duration { get; private set; }

    /// <summary>Interval between stats lines.</summary>
    public TimeSpan StatsEvery { get; private set; } = TimeSpan.FromSeconds(5);

    /// <summary>True when <c>--faults</c> was given.</summary>
    public bool Faults { get; private set; }

    /// <summary>True when <c>--help</c> was given.</summary>
    public bool Help { get; private set; }

    /// <summary>Parses the arguments.</summary>
    public static CliArguments Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = new CliArguments();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            switch (name)
            {
                case "--help":
                case "-h":
                    result.Help = true;
                    break;
                case "--faults":
                    result.Faults = true;
                    result.Options.WithDefaultFaults();
                    break;
                case "--around-the-clock":
                    result.Options.ClassesAroundTheClock = true;
                    break;
                case "--broker":
                    ParseBroker(Value(args, ref i), result.Options);
                    break;
                case "--boards":
                    result.Options.Boards = Int(args, ref i, 1, 999);
                    break;
                case "--seed":
                    result.Options.Seed = Int(args, ref i, int.MinValue, int.MaxValue);
                    break;
                case "--publish-interval":
                    result.Options.PublishIntervalSeconds = Int(args, ref i, 1, 86_400);
                    break;
                case "--time-scale":
                    string text = Value(args, ref i);
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double scale)
                        || !(scale > 0) || double.IsInfinity(scale))
                    {
                        throw new ArgumentException("--time-scale needs a positive number, got '" + text + "'.");
                    }

                    result.Options.TimeScale = scale;
                    break;
                case "--duration":
                    result.Duration = ParseDuration(Value(args, ref i), "--duration");
                    break;
                case "--stats-every":
                    result.StatsEvery = ParseDuration(Value(args, ref i), "--stats-every");
                    break;
                default:
                    throw new ArgumentException("unknown option '" + name + "'.");
            }
        }

        return result;
    }

    /// <summary>Parses "90", "30s", "5m", "2h" (real time, &gt; 0).</summary>
    public static TimeSpan ParseDuration(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        double factor = 1;
        string number = text;
        if (text.Length > 1 && char.IsLetter(text[^1]))
        {
            factor = char.ToLowerInvariant(text[^1]) switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                _ => double.NaN,
            };
            number = text[..^1];
        }

        if (double.IsNaN(factor)
            || !double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !(value > 0) || value * factor > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            throw new ArgumentException(option + " needs a positive duration such as 90, 30s, 5m or 2h, got '" + text + "'.");
        }

        return TimeSpan.FromSeconds(value * factor);
    }

    private static void ParseBroker(string text, FleetOptions options)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri)
            || (uri.Scheme != "mqtt" && uri.Scheme != "mqtts")
            || string.IsNullOrEmpty(uri.Host)
            || (uri.AbsolutePath.Length > 1))
        {
            throw new ArgumentException("--broker needs mqtt://host:port or mqtts://host:port, got '" + text + "'.");
        }

        options.UseTls = uri.Scheme == "mqtts";
        options.BrokerHost = uri.Host;
        options.BrokerPort = uri.IsDefaultPort || uri.Port < 0 ? (options.UseTls ? 8883 : 1883) : uri.Port;
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException(args[i] + " needs a value.");
        }

        i++;
        return args[i];
    }

    private static int Int(string[] args, ref int i, int min, int max)
    {
        string option = args[i];
        string text = Value(args, ref i);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{option} needs an integer in {min}..{max}, got '{text}'."));
        }

        return value;
    }
}
