namespace AutoVolt.Esp32.Core;

/// <summary>
/// One metered load on a board (a relay, optionally a power sensor, and its energy counter).
/// Its switch key in <c>switch_state</c> equals its <see cref="DeviceId"/>, so the server maps it
/// without configuration (DESIGN.md section 2).
/// </summary>
public sealed class LoadChannel
{
    private long _measuredMilliW = -1;

    /// <summary>Creates a channel; <paramref name="counter"/> is already restored from flash.</summary>
    /// <param name="deviceId">e.g. "light_1"; also the switch key.</param>
    /// <param name="ratedWatts">Nameplate power used while ON when no sensor is fitted (W, &gt;= 0).</param>
    /// <param name="relayPin">GPIO of the relay (firmware only; -1 in the simulator).</param>
    /// <param name="counter">The channel's cumulative energy counter.</param>
    public LoadChannel(string deviceId, double ratedWatts, int relayPin, EnergyCounter counter)
    {
        if (!BoardConfig.IsValidName(deviceId))
        {
            throw new System.ArgumentException("device id must be 1..32 of [A-Za-z0-9_-]", nameof(deviceId));
        }

        if (!(ratedWatts >= 0))
        {
            throw new System.ArgumentOutOfRangeException(nameof(ratedWatts));
        }

        DeviceId = deviceId;
        RatedMilliW = EnergyCounter.WattsToMilliW(ratedWatts);
        RelayPin = relayPin;
        Counter = counter;
    }

    /// <summary>Device id and switch key.</summary>
    public string DeviceId { get; }

    /// <summary>Nameplate power in milliwatts.</summary>
    public long RatedMilliW { get; }

    /// <summary>Relay GPIO, or -1.</summary>
    public int RelayPin { get; }

    /// <summary>Cumulative energy.</summary>
    public EnergyCounter Counter { get; }

    /// <summary>Relay state (relays start OFF at boot).</summary>
    public bool IsOn { get; set; }

    /// <summary>True after <see cref="SetMeasuredPower"/>: the sensor reading is used instead of the rating.</summary>
    public bool HasSensor
    {
        get { return _measuredMilliW >= 0; }
    }

    /// <summary>
    /// Power the channel draws now, in mW: 0 while the relay is OFF (sensor noise on an open relay
    /// is not consumption); while ON the latest sensor reading when fitted, else the rating.
    /// </summary>
    public long PowerMilliW
    {
        get
        {
            if (!IsOn)
            {
                return 0;
            }

            return _measuredMilliW >= 0 ? _measuredMilliW : RatedMilliW;
        }
    }

    /// <summary>Latest sensor reading in watts (negative clears it: back to rated power).</summary>
    public void SetMeasuredPower(double watts)
    {
        _measuredMilliW = watts < 0 ? -1 : EnergyCounter.WattsToMilliW(watts);
    }
}
