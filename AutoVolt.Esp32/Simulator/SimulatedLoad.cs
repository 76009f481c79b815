using System.Collections.Generic;

namespace AutoVolt.Esp32.Simulator;

/// <summary>One load of a simulated board: its device id (also its switch key), kind, rating and relay pin.</summary>
public sealed class SimulatedLoad
{
    private readonly List<PublishedReading> _published = [];
    private readonly List<LoadBoot> _boots = [];

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

    /// <summary>
    /// Ground truth for tests: every microjoule the load's energy counter integrated, over all boots,
    /// including energy a reboot later lost (not yet in flash) or erased (flash lost). Read it after
    /// the fleet stopped.
    /// </summary>
    public long TrueEnergyMicrojoules { get; private set; }

    /// <summary>
    /// Readings of this load acknowledged by the broker, in acknowledgement order, when
    /// <see cref="FleetOptions.RecordPublishedReadings"/> is on (read after the fleet stopped).
    /// </summary>
    public IReadOnlyList<PublishedReading> Published => _published;

    /// <summary>Power-ons of the board, in order, when <see cref="FleetOptions.RecordPublishedReadings"/> is on (read after the fleet stopped).</summary>
    public IReadOnlyList<LoadBoot> Boots => _boots;

    internal void AddTrueEnergy(long microjoules) => TrueEnergyMicrojoules += microjoules;

    internal void AddPublished(PublishedReading reading) => _published.Add(reading);

    internal void AddBoot(LoadBoot boot) => _boots.Add(boot);
}
