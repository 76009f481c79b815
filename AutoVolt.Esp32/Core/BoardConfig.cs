namespace AutoVolt.Esp32.Core;

/// <summary>
/// Identity of a board and its MQTT topics. Topics are per board only
/// (<c>autovolt/&lt;name&gt;/telemetry|heartbeat|status</c>); the board's MQTT user name is its
/// name and it has its own password, so a leaked board cannot publish as another one.
/// </summary>
public sealed class BoardConfig
{
    /// <summary>Creates the configuration; the name may hold only letters, digits, '-' and '_'.</summary>
    public BoardConfig(string esp32Name, string classroom, string firmwareVersion)
    {
        if (!IsValidName(esp32Name))
        {
            throw new System.ArgumentException("board name must be 1..32 of [A-Za-z0-9_-]", nameof(esp32Name));
        }

        if (classroom == null || classroom.Length == 0)
        {
            throw new System.ArgumentException("classroom is required", nameof(classroom));
        }

        Esp32Name = esp32Name;
        Classroom = classroom;
        FirmwareVersion = firmwareVersion;
        TelemetryTopic = "autovolt/" + esp32Name + "/telemetry";
        HeartbeatTopic = "autovolt/" + esp32Name + "/heartbeat";
        StatusTopic = "autovolt/" + esp32Name + "/status";
    }

    /// <summary>Board name, e.g. "ESP01"; also the MQTT client id and user name.</summary>
    public string Esp32Name { get; }

    /// <summary>Classroom, e.g. "CR-101".</summary>
    public string Classroom { get; }

    /// <summary>Firmware version, e.g. "v2.1.0".</summary>
    public string FirmwareVersion { get; }

    /// <summary><c>autovolt/&lt;name&gt;/telemetry</c>.</summary>
    public string TelemetryTopic { get; }

    /// <summary><c>autovolt/&lt;name&gt;/heartbeat</c>.</summary>
    public string HeartbeatTopic { get; }

    /// <summary><c>autovolt/&lt;name&gt;/status</c> (retained).</summary>
    public string StatusTopic { get; }

    /// <summary>True for 1..32 characters of [A-Za-z0-9_-] (no MQTT wildcards or separators).</summary>
    public static bool IsValidName(string? name)
    {
        if (name == null || name.Length == 0 || name.Length > 32)
        {
            return false;
        }

        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
