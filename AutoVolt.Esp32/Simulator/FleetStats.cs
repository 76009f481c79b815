using System;
using System.Globalization;
using System.Threading;

namespace AutoVolt.Esp32.Simulator;

/// <summary>Live counters of a <see cref="SimulatedFleet"/> (thread-safe; totals since the fleet started).</summary>
public sealed class FleetStats
{
    private long _boardsOnline;
    private long _telemetry;
    private long _heartbeats;
    private long _statuses;
    private long _duplicates;
    private long _reordered;
    private long _dropped;
    private long _lostOnReboot;
    private long _reboots;
    private long _counterLosses;
    private long _wifiLosses;
    private long _connects;
    private long _connectFailures;
    private long _publishFailures;
    private long _bursts;
    private long _switchChanges;
    private long _unsyncedTelemetry;
    private long _simulatedUnixMs;

    /// <summary>Boards connected to the broker now.</summary>
    public long BoardsOnline => Interlocked.Read(ref _boardsOnline);

    /// <summary>Telemetry messages acknowledged by the broker (duplicates included).</summary>
    public long TelemetryPublished => Interlocked.Read(ref _telemetry);

    /// <summary>Heartbeats acknowledged.</summary>
    public long HeartbeatsPublished => Interlocked.Read(ref _heartbeats);

    /// <summary>Retained status messages published (online and clean offline).</summary>
    public long StatusPublished => Interlocked.Read(ref _statuses);

    /// <summary>Deliberate duplicate publishes (fault).</summary>
    public long DuplicatesPublished => Interlocked.Read(ref _duplicates);

    /// <summary>Messages sent out of order (fault).</summary>
    public long Reordered => Interlocked.Read(ref _reordered);

    /// <summary>Readings dropped because an offline buffer was full.</summary>
    public long ReadingsDropped => Interlocked.Read(ref _dropped);

    /// <summary>Unsent readings lost with RAM at a reboot.</summary>
    public long ReadingsLostOnReboot => Interlocked.Read(ref _lostOnReboot);

    /// <summary>Simulated reboots.</summary>
    public long Reboots => Interlocked.Read(ref _reboots);

    /// <summary>Reboots that lost the flash counters.</summary>
    public long CounterLosses => Interlocked.Read(ref _counterLosses);

    /// <summary>Simulated Wi-Fi losses.</summary>
    public long WifiLosses => Interlocked.Read(ref _wifiLosses);

    /// <summary>Successful MQTT connects.</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Failed MQTT connect attempts (broker down or refusing).</summary>
    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>Publishes that failed (message stays buffered).</summary>
    public long PublishFailures => Interlocked.Read(ref _publishFailures);

    /// <summary>Switch-flapping bursts (fault).</summary>
    public long Bursts => Interlocked.Read(ref _bursts);

    /// <summary>Relay switch changes.</summary>
    public long SwitchChanges => Interlocked.Read(ref _switchChanges);

    /// <summary>Telemetry sent without a timestamp (clock unsynced).</summary>
    public long UnsyncedTelemetry => Interlocked.Read(ref _unsyncedTelemetry);

    /// <summary>Current simulated instant.</summary>
    public DateTimeOffset SimulatedTime => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Read(ref _simulatedUnixMs));

    internal void BoardOnline(bool online) => Interlocked.Add(ref _boardsOnline, online ? 1 : -1);

    internal void AddTelemetry() => Interlocked.Increment(ref _telemetry);

    internal void AddHeartbeat() => Interlocked.Increment(ref _heartbeats);

    internal void AddStatus() => Interlocked.Increment(ref _statuses);

    internal void AddDuplicate() => Interlocked.Increment(ref _duplicates);

    internal void AddReordered() => Interlocked.Increment(ref _reordered);

    internal void AddDropped(long n) => Interlocked.Add(ref _dropped, n);

    internal void AddLostOnReboot(long n) => Interlocked.Add(ref _lostOnReboot, n);

    internal void AddReboot(bool counterLost)
    {
        Interlocked.Increment(ref _reboots);
        if (counterLost)
        {
            Interlocked.Increment(ref _counterLosses);
        }
    }

    internal void AddWifiLoss() => Interlocked.Increment(ref _wifiLosses);

    internal void AddConnect() => Interlocked.Increment(ref _connects);

    internal void AddConnectFailure() => Interlocked.Increment(ref _connectFailures);

    internal void AddPublishFailure() => Interlocked.Increment(ref _publishFailures);

    internal void AddBurst() => Interlocked.Increment(ref _bursts);

    internal void AddSwitchChange() => Interlocked.Increment(ref _switchChanges);

    internal void AddUnsyncedTelemetry() => Interlocked.Increment(ref _unsyncedTelemetry);

    internal void SetSimulatedTime(long unixMs) => Interlocked.Exchange(ref _simulatedUnixMs, unixMs);

    /// <summary>One line for logs: <c>sim=… online=… telemetry=… …</c>.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"sim={SimulatedTime:yyyy-MM-ddTHH:mm:ssZ} online={BoardsOnline} telemetry={TelemetryPublished} heartbeats={HeartbeatsPublished} status={StatusPublished} switches={SwitchChanges} unsynced={UnsyncedTelemetry} dup={DuplicatesPublished} reordered={Reordered} bursts={Bursts} reboots={Reboots} counter_lost={CounterLosses} wifi_losses={WifiLosses} connects={Connects} connect_failures={ConnectFailures} publish_failures={PublishFailures} dropped={ReadingsDropped} lost_on_reboot={ReadingsLostOnReboot}");
}
