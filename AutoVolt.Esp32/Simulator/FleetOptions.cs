using System;
using System.Globalization;

namespace AutoVolt.Esp32.Simulator;

/// <summary>
/// Settings of a <see cref="SimulatedFleet"/>. Probabilities are in [0, 1]; "per hour" ones are
/// per board per simulated hour. All faults default to 0 (off); <see cref="WithDefaultFaults"/>
/// turns on a mix that exercises every ingestion rule within minutes at a high time scale.
/// </summary>
public sealed class FleetOptions
{
    /// <summary>Broker host name or address.</summary>
    public string BrokerHost { get; set; } = "127.0.0.1";

    /// <summary>Broker TCP port.</summary>
    public int BrokerPort { get; set; } = 1883;

    /// <summary>Connect with TLS (an <c>mqtts://</c> broker).</summary>
    public bool UseTls { get; set; }

    /// <summary>Number of boards, named ESP01.. in classrooms CR-101.. (1..999).</summary>
    public int Boards { get; set; } = 20;

    /// <summary>
    /// Simulated seconds per real second (&gt; 0). Simulated time never runs ahead of the real clock
    /// (the server would reject future timestamps): with a scale above 1 the fleet starts at
    /// <see cref="SimulatedStart"/> (default: one day ago), runs fast until it reaches the present,
    /// then continues at real time.
    /// </summary>
    public double TimeScale { get; set; } = 1;

    /// <summary>Simulated start instant; null means now (scale 1) or 24 h ago (scale &gt; 1). Must not be in the future.</summary>
    public DateTimeOffset? SimulatedStart { get; set; }

    /// <summary>Periodic telemetry interval per board, simulated seconds (firmware default 60).</summary>
    public int PublishIntervalSeconds { get; set; } = 10;

    /// <summary>Heartbeat interval, simulated seconds (DESIGN.md: 30).</summary>
    public int HeartbeatIntervalSeconds { get; set; } = 30;

    /// <summary>Seed of every random choice (loads, timetables, faults).</summary>
    public int Seed { get; set; }

    /// <summary>
    /// MQTT user name. Null (the default) means each board logs in as itself (user name = board
    /// name), as real boards do. Set it only for a development broker with one demo account.
    /// </summary>
    public string? Username { get; set; }

    /// <summary>Password sent when <see cref="PasswordForBoard"/> is null (development brokers only).</summary>
    public string? Password { get; set; }

    /// <summary>Per-board password lookup (board name → password); takes precedence over <see cref="Password"/>.</summary>
    public Func<string, string?>? PasswordForBoard { get; set; }

    /// <summary>Offline buffer capacity per board, readings.</summary>
    public int OfflineBufferCapacity { get; set; } = 500;

    /// <summary>Firmware version reported by the simulated boards.</summary>
    public string FirmwareVersion { get; set; } = "v2.1.0-sim";

    /// <summary>UTC offset of the site, for the class timetable (default India, +05:30).</summary>
    public TimeSpan SiteUtcOffset { get; set; } = new TimeSpan(5, 30, 0);

    /// <summary>Treat every hour as a class hour (demos at night); default false = Mon–Sat 09:00–16:00.</summary>
    public bool ClassesAroundTheClock { get; set; }

    /// <summary>Reboots per board per simulated hour (power cut: no clean shutdown, Last Will fires).</summary>
    public double RebootProbabilityPerHour { get; set; }

    /// <summary>Share of reboots whose flash is lost (counter and sequence restart at 0).</summary>
    public double CounterLossOnRebootProbability { get; set; }

    /// <summary>Wi-Fi losses per board per simulated hour (30 s – 10 min; readings buffered, replayed).</summary>
    public double WifiLossProbabilityPerHour { get; set; }

    /// <summary>Probability that a boot starts without NTP time (telemetry without timestamp for 30 s – 5 min).</summary>
    public double UnsyncedClockAtBootProbability { get; set; }

    /// <summary>Probability that a telemetry message is published twice.</summary>
    public double DuplicatePublishProbability { get; set; }

    /// <summary>Probability that a telemetry message is held back and sent after the next one.</summary>
    public double ReorderProbability { get; set; }

    /// <summary>Bursts (a switch flapping 4–10 times, seconds apart) per board per simulated hour.</summary>
    public double BurstProbabilityPerHour { get; set; }

    /// <summary>
    /// On stop, how long (real time) each board may take to reconnect if needed and publish its whole outbox
    /// before going offline, so every reading it captured reaches the broker. Zero (the default) stops at once:
    /// unsent readings are lost, as at a power-off.
    /// </summary>
    public TimeSpan StopDrainTimeout { get; set; }

    /// <summary>
    /// Record every acknowledged reading and every power-on per load (<see cref="SimulatedLoad.Published"/>,
    /// <see cref="SimulatedLoad.Boots"/>) for tests that compare the server with the truth. Off by default: the
    /// lists grow with the run.
    /// </summary>
    public bool RecordPublishedReadings { get; set; }

    /// <summary>Turns on a default mix of every fault; returns this instance.</summary>
    public FleetOptions WithDefaultFaults()
    {
        RebootProbabilityPerHour = 0.3;
        CounterLossOnRebootProbability = 0.25;
        WifiLossProbabilityPerHour = 0.5;
        UnsyncedClockAtBootProbability = 0.3;
        DuplicatePublishProbability = 0.02;
        ReorderProbability = 0.02;
        BurstProbabilityPerHour = 0.3;
        return this;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate(DateTimeOffset now)
    {
        Require(!string.IsNullOrWhiteSpace(BrokerHost), nameof(BrokerHost), "BrokerHost is required.");
        Require(BrokerPort is >= 1 and <= 65535, nameof(BrokerPort), "BrokerPort must be 1..65535.");
        Require(Boards is >= 1 and <= 999, nameof(Boards), "Boards must be 1..999.");
        Require(TimeScale > 0 && !double.IsInfinity(TimeScale), nameof(TimeScale), "TimeScale must be a positive number.");
        Require(PublishIntervalSeconds >= 1, nameof(PublishIntervalSeconds), "PublishIntervalSeconds must be at least 1.");
        Require(HeartbeatIntervalSeconds >= 1, nameof(HeartbeatIntervalSeconds), "HeartbeatIntervalSeconds must be at least 1.");
        Require(OfflineBufferCapacity >= 1, nameof(OfflineBufferCapacity), "OfflineBufferCapacity must be at least 1.");
        Require(StopDrainTimeout >= TimeSpan.Zero, nameof(StopDrainTimeout), "StopDrainTimeout must not be negative.");
        Require(SimulatedStart is not { } start || start <= now, nameof(SimulatedStart), "SimulatedStart must not be in the future.");
        CheckProbability(RebootProbabilityPerHour, nameof(RebootProbabilityPerHour));
        CheckProbability(CounterLossOnRebootProbability, nameof(CounterLossOnRebootProbability));
        CheckProbability(WifiLossProbabilityPerHour, nameof(WifiLossProbabilityPerHour));
        CheckProbability(UnsyncedClockAtBootProbability, nameof(UnsyncedClockAtBootProbability));
        CheckProbability(DuplicatePublishProbability, nameof(DuplicatePublishProbability));
        CheckProbability(ReorderProbability, nameof(ReorderProbability));
        CheckProbability(BurstProbabilityPerHour, nameof(BurstProbabilityPerHour));
    }

    private static void CheckProbability(double value, string name) =>
        Require(value >= 0 && value <= 1, name, string.Create(CultureInfo.InvariantCulture, $"{name} must be within [0, 1]."));

    private static void Require(bool ok, string name, string message)
    {
        if (!ok)
        {
            throw new ArgumentException(message, name);
        }
    }
}
