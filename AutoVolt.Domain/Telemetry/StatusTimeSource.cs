namespace AutoVolt.Domain.Telemetry;

/// <summary>Where the instant of a <see cref="BoardStatus"/> came from.</summary>
public enum StatusTimeSource
{
    /// <summary>The receive time: the payload had no timestamp (plain word, Last Will) or the clock rules did not trust it.</summary>
    ReceivedAt = 0,
    /// <summary>The payload's own timestamp, trusted by <see cref="ClockRules.IsTrusted"/>.</summary>
    Payload = 1,
}
