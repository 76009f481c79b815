using AutoVolt.Web.Cli;

namespace AutoVolt.Web.Tests.Infrastructure.Migration;

public sealed class MigrateLegacyCliTests
{
    [Fact]
    public async Task MigrateLegacy_DryRun_PrintsMappingAndReportWithoutDatabase()
    {
        var r = LegacyFixtures.Request();
        var previous = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        int code;
        try
        {
            code = await CliVerbs.RunAsync(["migrate-legacy", "--devices", r.DevicesPath, "--activity-logs", r.ActivityLogsPath, "--energy", r.EnergyPath,
                "--power-settings", r.PowerSettingsPath!, "--rate", "2025-10-01=7", "--rate", "2025-11-01=7.5", "--dry-run", "--Site:TimeZone=Asia/Kolkata"]);
        }
        finally
        {
            Console.SetOut(previous);
        }
        var text = output.ToString();
        Assert.Equal(0, code);
        Assert.Contains("-> LH_D_28_MCA_1_2/projector_1", text);
        Assert.Contains("Rate: 7 INR/kWh from 2025-10-01 00:00 site time (--rate)", text);
        Assert.Contains("days: 1 match, 5 differ (explained), 1 unexplained", text);
        Assert.Contains("Dry run: nothing was written.", text);
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
    }
}
