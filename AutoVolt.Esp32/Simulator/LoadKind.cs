namespace AutoVolt.Esp32.Simulator;

/// <summary>Kind of a simulated classroom load.</summary>
public enum LoadKind
{
    /// <summary>Tube light, 40 W.</summary>
    Light,

    /// <summary>Ceiling fan, 60–75 W.</summary>
    Fan,

    /// <summary>Split air conditioner, 1.5 kW.</summary>
    AirConditioner,

    /// <summary>Projector, 200 W.</summary>
    Projector,
}
