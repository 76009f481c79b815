namespace AutoVolt.Esp32.Core;

/// <summary>
/// One captured telemetry reading of one channel. The JSON is built only when the reading is sent,
/// so a reading captured before NTP sync can still get its true timestamp (from the monotonic
/// capture time) if the clock synced before it left the offline buffer.
/// </summary>
public sealed class TelemetryReading
{
    /// <summary>Channel index on the board.</summary>
    public int Channel { get; set; }

    /// <summary>Device id of the channel.</summary>
    public string DeviceId { get; set; } = string.Empty;

    /// <summary>Power at capture, mW.</summary>
    public long PowerMilliW { get; set; }

    /// <summary>Cumulative energy at capture, mWh (already persisted).</summary>
    public long EnergyMilliWh { get; set; }

    /// <summary>Relay state of every channel at capture, in channel order.</summary>
    public bool[] SwitchStates { get; set; } = new bool[0];

    /// <summary>Monotonic milliseconds at capture.</summary>
    public long MonotonicMs { get; set; }

    /// <summary>Wall-clock Unix milliseconds at capture, or -1 when the clock was unsynced.</summary>
    public long UnixMs { get; set; } = -1;

    /// <summary>Seconds since boot at capture.</summary>
    public long UptimeSeconds { get; set; }

    /// <summary>Board-wide sequence number (never reused).</summary>
    public long SequenceNo { get; set; }

    /// <summary>Wi-Fi RSSI at capture, dBm.</summary>
    public int WifiRssi { get; set; }

    /// <summary>Boot id of the boot that captured it.</summary>
    public string BootId { get; set; } = string.Empty;
}
