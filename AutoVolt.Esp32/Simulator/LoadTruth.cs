namespace AutoVolt.Esp32.Simulator;

/// <summary>
/// A telemetry reading of one load that the broker acknowledged (its first acknowledged publish; a
/// deliberate duplicate is not recorded again), with what the simulation knows about it.
/// </summary>
/// <param name="BootNumber">1 for the board's first power-on, +1 per reboot.</param>
/// <param name="BootId">The boot id in the payload.</param>
/// <param name="SequenceNo">The sequence number in the payload.</param>
/// <param name="EnergyMilliWh">The counter value in the payload (<c>energy_wh_total</c> × 1000).</param>
/// <param name="CaptureUnixMs">Simulated instant the reading was captured.</param>
/// <param name="TrueMicrojoules">The load's <see cref="SimulatedLoad.TrueEnergyMicrojoules"/> at capture.</param>
/// <param name="SentWithTimestamp">False when the payload had no timestamp (board clock unsynced at send time).</param>
public sealed record PublishedReading(
    int BootNumber, string BootId, long SequenceNo, long EnergyMilliWh, long CaptureUnixMs, long TrueMicrojoules, bool SentWithTimestamp);

/// <summary>
/// One power-on of a load's board, as the simulation saw it.
/// </summary>
/// <param name="BootNumber">1 for the first power-on, +1 per reboot.</param>
/// <param name="PowerOnUnixMs">Simulated instant of the power-on.</param>
/// <param name="CounterRestored">True when the energy counter was restored from flash; false when it restarted at 0.</param>
/// <param name="RestoredMicrojoules">Counter value at power-on (flash value, or 0).</param>
/// <param name="CounterBeforeMicrojoules">Counter value when the previous boot ended (0 for the first boot).</param>
/// <param name="TrueMicrojoulesAtPowerOn">The load's <see cref="SimulatedLoad.TrueEnergyMicrojoules"/> at power-on.</param>
public sealed record LoadBoot(
    int BootNumber, long PowerOnUnixMs, bool CounterRestored, long RestoredMicrojoules, long CounterBeforeMicrojoules, long TrueMicrojoulesAtPowerOn)
{
    /// <summary>
    /// Energy the counter had integrated but flash did not hold when the previous boot ended (power cut
    /// between flash writes), µJ; 0 when the counter restarted at 0 (then everything before is lost to it).
    /// </summary>
    public long LostAtRebootMicrojoules => CounterRestored ? CounterBeforeMicrojoules - RestoredMicrojoules : 0;
}
