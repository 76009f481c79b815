namespace AutoVolt.Infrastructure.Migration;

/// <summary>Input of <c>migrate-legacy</c>: the export files (paths), dry-run, and optional explicit rates (replacing detection).</summary>
public sealed record LegacyMigrationRequest(string DevicesPath, string ActivityLogsPath, string EnergyPath, string? PowerSettingsPath = null,
    bool DryRun = false, IReadOnlyList<PlannedRate>? Rates = null);
