namespace AutoVolt.Domain.Telemetry;

/// <summary>Connection state a board announces on <c>autovolt/&lt;esp32_name&gt;/status</c>.</summary>
public enum BoardState
{
    /// <summary><c>offline</c>: the board said goodbye, or the broker published its Last Will.</summary>
    Offline = 0,
    /// <summary><c>online</c>: published by the board on connect.</summary>
    Online = 1,
}
