namespace AutoVolt.Esp32.Simulator;

/// <summary>One load of a simulated board: its device id (also its switch key), kind, rating and relay pin.</summary>
public sealed class SimulatedLoad
{
    internal SimulatedLoad(string deviceId, LoadKind kind, double ratedWatts, int relayPin, bool hasSensor)
    {
        DeviceId = deviceId;
        Kind = kind;
        RatedWatts = ratedWatts;
        RelayPin = relayPin;
        HasSensor = hasSensor;
    }

    /// <summary>e.g. "light_1", "fan_2", "ac_1", "projector_1".</summary>
    public string DeviceId { get; }

    /// <summary>What the load is.</summary>
    public LoadKind Kind { get; }

    /// <summary>Nameplate power, W.</summary>
    public double RatedWatts { get; }

    /// <summary>Relay GPIO on a real board (16, 17, 18, 19, 21, 22).</summary>
    public int RelayPin { get; }

    /// <summary>True when the board reports measured power (rating ± a few %), false for rated power.</summary>
    public bool HasSensor { get; }
}
