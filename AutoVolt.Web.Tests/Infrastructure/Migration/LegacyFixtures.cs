using AutoVolt.Infrastructure.Migration;

namespace AutoVolt.Web.Tests.Infrastructure.Migration;

/// <summary>
/// The synthetic exports under Fixtures/ (written from LEGACY.md): devices in relaxed Extended JSON (array),
/// activity logs in canonical Extended JSON (newline-delimited), energy in the old project's plain JSON backup form.
/// </summary>
/// <remarks>
/// Scenario (IST = UTC+5:30; boards LH_D_28_(MCA_1) → LH_D_28_MCA_1 and LH_D_28_[MCA_1] → LH_D_28_MCA_1_2):
/// <list type="bullet">
/// <item>light_1 40 W ON 03:40–05:10Z on 2025-10-30 logged as 4 ON + 3 OFF rows → 60 Wh; EnergyConsumption: 4 duplicate docs of 0.015 kWh.</item>
/// <item>fan_1 (powerRating 60, no power on rows, no tracker row) 04:00–05:00Z on 10-31 → 60 Wh; no old doc (lost).</item>
/// <item>light_1 ON 11-01 17:30Z (23:00 IST) → OFF 19:30Z (01:00 IST 11-02) → 40 Wh on each day; old credited 80 Wh to 11-01.</item>
/// <item>light_2 (powerRating 0, ON row with 0 W → power settings 40 W) ON 03:00Z, ON again 10:00Z (missing OFF closed at the next ON),
/// OFF 11:00Z on 11-02 → 7 h + 1 h × 40 W = 320 Wh.</item>
/// <item>projector (power settings 200 W) ON 11-03 12:30Z, never OFF → closed at the end of the IST day 18:30Z: 6 h → 1200 Wh.</item>
/// <item>projector 11-04 04:00–04:30Z with two tracker OFF rows (0.1 kWh each) → 100 Wh; old: 2 docs of 0.1 kWh.</item>
/// <item>An old doc of 0.5 kWh on 11-05 with no activity at all: unexplained.</item>
/// </list>
/// Rates in the data: 7 until 10-31, 7.5 from 11-01.
/// </remarks>
public static class LegacyFixtures
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "Infrastructure", "Migration", "Fixtures");

    public static LegacyMigrationRequest Request(bool dryRun = false) => new(
        Path.Combine(Dir, "devices.json"),
        Path.Combine(Dir, "activitylogs.canonical.ndjson"),
        Path.Combine(Dir, "energyconsumptions.plain.json"),
        Path.Combine(Dir, "powerSettings.json"),
        dryRun);

    public const string Board1 = "LH_D_28_MCA_1";
    public const string Board2 = "LH_D_28_MCA_1_2";
}
