using NodaTime;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>A switch subdocument of an old Device (<c>Device.switches[]</c>). The device secret is never read.</summary>
public sealed record LegacySwitch(string Id, string Name, string Type, decimal? PowerRatingW);

/// <summary>An old Device document: only the fields the migration needs (never <c>deviceSecret</c>).</summary>
public sealed record LegacyDevice(string Id, string Name, string? MacAddress, string Classroom, string Location, IReadOnlyList<LegacySwitch> Switches);

/// <summary>A power-relevant ActivityLog row: its target state (true ON, false OFF) and power fields.</summary>
public sealed record LegacyActivity(
    string Id, string DeviceId, string? SwitchId, string? SwitchName, string Action, bool TargetOn, Instant Timestamp,
    decimal? PowerW, string? SwitchType, decimal? DurationSeconds, decimal? EnergyKwh, decimal? Cost, bool OfflineStop = false)
{
    /// <summary>Rows the old powerConsumptionTracker wrote at OFF carry the session's runtime in seconds.</summary>
    public bool IsTrackerOff => !TargetOn && DurationSeconds is > 0m;

    /// <summary>The energy the old tracker credited for this OFF row, Wh (its <c>context.energyKwh</c>, else rated W × duration).</summary>
    public decimal TrackerWh => !IsTrackerOff ? 0m
        : EnergyKwh is { } kwh ? kwh * 1000m
        : (PowerW ?? 0m) * DurationSeconds!.Value / 3600m;
}

/// <summary>An old EnergyConsumption document: one (of possibly several duplicate) device/IST-day totals.</summary>
public sealed record LegacyEnergyDay(string Id, string DeviceId, string DeviceName, LocalDate Date, decimal TotalKwh, decimal? Rate);

/// <summary>The old wattage table by switch type and the electricity price (powerSettings.json or the PowerSettings singleton).</summary>
public sealed record LegacyPowerSettings(IReadOnlyDictionary<string, decimal> WattsByType, decimal? PricePerKwh)
{
    /// <summary>No settings file given.</summary>
    public static LegacyPowerSettings None { get; } = new(new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase), null);
}
