namespace AutoVolt.Domain.Telemetry;

/// <summary>The last segment of an AutoVolt MQTT topic (DESIGN.md section 2).</summary>
public enum TopicKind
{
    /// <summary><c>autovolt/&lt;board&gt;/telemetry</c>: one reading of one device (QoS 1).</summary>
    Telemetry = 1,
    /// <summary><c>autovolt/&lt;board&gt;/heartbeat</c>: liveness and board clock, every 30 s.</summary>
    Heartbeat = 2,
    /// <summary><c>autovolt/&lt;board&gt;/status</c>: retained <c>online</c>, or <c>offline</c> as the Last Will.</summary>
    Status = 3,
}
