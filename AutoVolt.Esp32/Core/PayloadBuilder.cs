using System.Text;

namespace AutoVolt.Esp32.Core;

/// <summary>
/// Builds the MQTT payloads of DESIGN.md section 2 with culture-free formatting.
/// Telemetry field order: esp32_name, classroom, device_id, timestamp, power_w, energy_wh_total,
/// switch_state, uptime_seconds, status, sequence_no, firmware_ver, wifi_rssi, boot_id.
/// While the board clock is unsynced <c>timestamp</c> is omitted (the server then uses the receive
/// time); numbers are plain JSON numbers (power in W and energy in Wh, up to 3 decimals, trailing
/// zeros trimmed).
/// </summary>
public sealed class PayloadBuilder
{
    /// <summary>Last Will payload: fixed at connect time, so it carries no timestamp.</summary>
    public const string OfflineWill = "offline";

    private readonly BoardConfig _config;
    private readonly string[] _switchKeys;

    /// <summary>Creates a builder for a board whose channels have the given switch keys (= device ids), in channel order.</summary>
    public PayloadBuilder(BoardConfig config, string[] switchKeys)
    {
        _config = config;
        _switchKeys = switchKeys;
    }

    /// <summary>
    /// Telemetry JSON of <paramref name="reading"/>. Its timestamp is the capture time; a reading
    /// captured before NTP sync is dated from its monotonic capture time when <paramref name="clock"/>
    /// has synced since, and has no timestamp otherwise.
    /// </summary>
    public string BuildTelemetry(TelemetryReading reading, BoardClock clock)
    {
        long unixMs = reading.UnixMs >= 0 ? reading.UnixMs : clock.ToUnixMs(reading.MonotonicMs);
        StringBuilder sb = new StringBuilder(320);
        sb.Append("{\"esp32_name\":");
        InvariantFormat.AppendJsonString(sb, _config.Esp32Name);
        sb.Append(",\"classroom\":");
        InvariantFormat.AppendJsonString(sb, _config.Classroom);
        sb.Append(",\"device_id\":");
        InvariantFormat.AppendJsonString(sb, reading.DeviceId);
        if (unixMs >= BoardClock.EarliestValidUnixMs)
        {
            sb.Append(",\"timestamp\":\"");
            InvariantFormat.AppendIsoUtc(sb, unixMs);
            sb.Append('"');
        }

        sb.Append(",\"power_w\":");
        InvariantFormat.AppendFixed(sb, reading.PowerMilliW, 3);
        sb.Append(",\"energy_wh_total\":");
        InvariantFormat.AppendFixed(sb, reading.EnergyMilliWh, 3);
        sb.Append(",\"switch_state\":{");
        int n = reading.SwitchStates.Length < _switchKeys.Length ? reading.SwitchStates.Length : _switchKeys.Length;
        for (int i = 0; i < n; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            InvariantFormat.AppendJsonString(sb, _switchKeys[i]);
            sb.Append(reading.SwitchStates[i] ? ":true" : ":false");
        }

        sb.Append("},\"uptime_seconds\":");
        InvariantFormat.AppendInteger(sb, reading.UptimeSeconds);
        sb.Append(",\"status\":\"online\",\"sequence_no\":");
        InvariantFormat.AppendInteger(sb, reading.SequenceNo);
        sb.Append(",\"firmware_ver\":");
        InvariantFormat.AppendJsonString(sb, _config.FirmwareVersion);
        sb.Append(",\"wifi_rssi\":");
        InvariantFormat.AppendInteger(sb, reading.WifiRssi);
        sb.Append(",\"boot_id\":");
        InvariantFormat.AppendJsonString(sb, reading.BootId);
        sb.Append('}');
        return sb.ToString();
    }

    /// <summary>
    /// Heartbeat JSON: esp32_name, timestamp (omitted when <paramref name="unixMs"/> &lt; 0),
    /// uptime_seconds, wifi_rssi, firmware_ver, dropped_readings (offline-buffer overflow since boot).
    /// </summary>
    public string BuildHeartbeat(long unixMs, long uptimeSeconds, int wifiRssi, long droppedReadings)
    {
        StringBuilder sb = new StringBuilder(160);
        sb.Append("{\"esp32_name\":");
        InvariantFormat.AppendJsonString(sb, _config.Esp32Name);
        if (unixMs >= BoardClock.EarliestValidUnixMs)
        {
            sb.Append(",\"timestamp\":\"");
            InvariantFormat.AppendIsoUtc(sb, unixMs);
            sb.Append('"');
        }

        sb.Append(",\"uptime_seconds\":");
        InvariantFormat.AppendInteger(sb, uptimeSeconds);
        sb.Append(",\"wifi_rssi\":");
        InvariantFormat.AppendInteger(sb, wifiRssi);
        sb.Append(",\"firmware_ver\":");
        InvariantFormat.AppendJsonString(sb, _config.FirmwareVersion);
        sb.Append(",\"dropped_readings\":");
        InvariantFormat.AppendInteger(sb, droppedReadings);
        sb.Append('}');
        return sb.ToString();
    }

    /// <summary>Retained status published right after connecting: JSON with the time when synced, else the plain word.</summary>
    public static string BuildOnline(long unixMs)
    {
        return BuildStatus("online", unixMs);
    }

    /// <summary>Retained status published before a clean disconnect (the Last Will covers unclean ones).</summary>
    public static string BuildOffline(long unixMs)
    {
        return BuildStatus("offline", unixMs);
    }

    private static string BuildStatus(string word, long unixMs)
    {
        if (unixMs < BoardClock.EarliestValidUnixMs)
        {
            return word;
        }

        StringBuilder sb = new StringBuilder(64);
        sb.Append("{\"status\":\"");
        sb.Append(word);
        sb.Append("\",\"timestamp\":\"");
        InvariantFormat.AppendIsoUtc(sb, unixMs);
        sb.Append("\"}");
        return sb.ToString();
    }
}
