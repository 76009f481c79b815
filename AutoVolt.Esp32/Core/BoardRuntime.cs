namespace AutoVolt.Esp32.Core;

/// <summary>
/// The board's accounting loop, free of I/O: integrates every channel's energy, decides when to
/// report (each switch change immediately, every channel periodically), queues readings in the
/// <see cref="OfflineBuffer"/> outbox and builds payloads. The firmware and the simulator only move
/// relays, read sensors, keep time and carry the payloads over MQTT.
/// </summary>
/// <remarks>
/// All times are monotonic milliseconds supplied by the caller (ESP32: <c>Environment.TickCount64</c>).
/// Sending: while connected, call <see cref="PeekTelemetryPayload"/>, publish it with QoS 1 and, when
/// the broker acknowledged it, <see cref="ConfirmTelemetrySent"/>; stop at the first failure and try
/// again after reconnecting. Heartbeats are never buffered (a stale heartbeat says nothing).
/// </remarks>
public sealed class BoardRuntime
{
    /// <summary>Default periodic telemetry interval (60 s).</summary>
    public const long DefaultTelemetryIntervalMs = 60000;

    private readonly long _bootMs;
    private long _lastAdvanceMs;

    /// <summary>Creates the runtime at boot; every relay starts OFF.</summary>
    public BoardRuntime(
        BoardConfig config,
        LoadChannel[] channels,
        BootIdentity identity,
        BoardClock clock,
        int bufferCapacity,
        long telemetryIntervalMs,
        long heartbeatIntervalMs,
        long bootMs)
    {
        if (channels == null || channels.Length == 0)
        {
            throw new System.ArgumentException("a board needs at least one channel", nameof(channels));
        }

        Config = config;
        Channels = channels;
        Identity = identity;
        Clock = clock;
        Buffer = new OfflineBuffer(bufferCapacity);
        string[] keys = new string[channels.Length];
        for (int i = 0; i < channels.Length; i++)
        {
            keys[i] = channels[i].DeviceId;
            channels[i].IsOn = false;
        }

        Payloads = new PayloadBuilder(config, keys);
        Periodic = new HeartbeatSchedule(telemetryIntervalMs, bootMs);
        Heartbeat = new HeartbeatSchedule(heartbeatIntervalMs, bootMs);
        _bootMs = bootMs;
        _lastAdvanceMs = bootMs;
    }

    /// <summary>Board identity and topics.</summary>
    public BoardConfig Config { get; }

    /// <summary>Load channels in relay order.</summary>
    public LoadChannel[] Channels { get; }

    /// <summary>Boot id and sequence numbers.</summary>
    public BootIdentity Identity { get; }

    /// <summary>Wall clock (unsynced until NTP).</summary>
    public BoardClock Clock { get; }

    /// <summary>Outbox of readings not yet acknowledged by the broker.</summary>
    public OfflineBuffer Buffer { get; }

    /// <summary>Payload formatting.</summary>
    public PayloadBuilder Payloads { get; }

    /// <summary>Periodic telemetry schedule (all channels).</summary>
    public HeartbeatSchedule Periodic { get; }

    /// <summary>Heartbeat schedule.</summary>
    public HeartbeatSchedule Heartbeat { get; }

    /// <summary>Latest Wi-Fi RSSI in dBm.</summary>
    public int WifiRssi { get; set; } = -60;

    /// <summary>Whole seconds since boot.</summary>
    public long UptimeSeconds(long nowMs)
    {
        return (nowMs - _bootMs) / 1000;
    }

    /// <summary>
    /// Integrates every channel up to <paramref name="nowMs"/> at its current power (zero-order
    /// hold) and captures all channels when the periodic report is due.
    /// </summary>
    public void Advance(long nowMs)
    {
        long elapsed = nowMs - _lastAdvanceMs;
        if (elapsed > 0)
        {
            for (int i = 0; i < Channels.Length; i++)
            {
                Channels[i].Counter.Add(Channels[i].PowerMilliW, elapsed, nowMs);
            }

            _lastAdvanceMs = nowMs;
        }

        if (Periodic.TryConsume(nowMs))
        {
            for (int i = 0; i < Channels.Length; i++)
            {
                Capture(i, nowMs);
            }
        }
    }

    /// <summary>
    /// Switches a relay: integrates up to now at the old state, changes it, and reports the channel
    /// immediately. Returns false (nothing reported) when the relay already had that state.
    /// </summary>
    public bool SetSwitch(int channel, bool on, long nowMs)
    {
        Advance(nowMs);
        LoadChannel c = Channels[channel];
        if (c.IsOn == on)
        {
            return false;
        }

        c.IsOn = on;
        Capture(channel, nowMs);
        return true;
    }

    /// <summary>
    /// Captures a reading of one channel into the outbox: the counter is flushed to flash first, so
    /// every reported total survives a reboot, then a sequence number is assigned.
    /// </summary>
    public TelemetryReading Capture(int channel, long nowMs)
    {
        LoadChannel c = Channels[channel];
        c.Counter.Flush(nowMs);
        bool[] states = new bool[Channels.Length];
        for (int i = 0; i < Channels.Length; i++)
        {
            states[i] = Channels[i].IsOn;
        }

        TelemetryReading reading = new TelemetryReading();
        reading.Channel = channel;
        reading.DeviceId = c.DeviceId;
        reading.PowerMilliW = c.PowerMilliW;
        reading.EnergyMilliWh = c.Counter.TotalMilliWh;
        reading.SwitchStates = states;
        reading.MonotonicMs = nowMs;
        reading.UnixMs = Clock.ToUnixMs(nowMs);
        reading.UptimeSeconds = UptimeSeconds(nowMs);
        reading.SequenceNo = Identity.NextSequence();
        reading.WifiRssi = WifiRssi;
        reading.BootId = Identity.BootId;
        Buffer.Enqueue(reading);
        return reading;
    }

    /// <summary>Payload of the oldest unsent reading, or null when the outbox is empty.</summary>
    public string? PeekTelemetryPayload()
    {
        TelemetryReading? head = Buffer.PeekFirst();
        return head == null ? null : Payloads.BuildTelemetry(head, Clock);
    }

    /// <summary>Removes the oldest reading after the broker acknowledged it.</summary>
    public void ConfirmTelemetrySent()
    {
        Buffer.RemoveFirst();
    }

    /// <summary>Heartbeat payload when one is due (and consumes the occasion), else null.</summary>
    public string? TryBuildHeartbeat(long nowMs)
    {
        if (!Heartbeat.TryConsume(nowMs))
        {
            return null;
        }

        return Payloads.BuildHeartbeat(Clock.ToUnixMs(nowMs), UptimeSeconds(nowMs), WifiRssi, Buffer.Dropped);
    }

    /// <summary>Retained <c>online</c> status for right after connecting.</summary>
    public string BuildOnlineStatus(long nowMs)
    {
        return PayloadBuilder.BuildOnline(Clock.ToUnixMs(nowMs));
    }

    /// <summary>Clean shutdown: integrates up to now and writes every changed counter to flash.</summary>
    public void Shutdown(long nowMs)
    {
        long elapsed = nowMs - _lastAdvanceMs;
        for (int i = 0; i < Channels.Length; i++)
        {
            if (elapsed > 0)
            {
                Channels[i].Counter.Add(Channels[i].PowerMilliW, elapsed, nowMs);
            }

            Channels[i].Counter.Flush(nowMs);
        }

        _lastAdvanceMs = nowMs;
    }

    /// <summary>Flash key of channel <paramref name="channel"/>'s energy counter ("e0", "e1", ...).</summary>
    public static string CounterKey(int channel)
    {
        System.Text.StringBuilder sb = new System.Text.StringBuilder(4);
        sb.Append('e');
        InvariantFormat.AppendInteger(sb, channel);
        return sb.ToString();
    }
}
