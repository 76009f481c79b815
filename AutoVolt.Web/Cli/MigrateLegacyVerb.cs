using System.Globalization;
using AutoVolt.Infrastructure;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Migration;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Web.Cli;

/// <summary>
/// <c>migrate-legacy --devices d.json --activity-logs a.json --energy e.json [--power-settings p.json] [--rate YYYY-MM-DD=7.5 ...] [--dry-run]</c>:
/// imports the old tracker's exports (see docs/migration.md). A dry run opens no database.
/// </summary>
public static class MigrateLegacyVerb
{
    public const string Usage =
        "       AutoVolt.Web migrate-legacy --devices d.json --activity-logs a.json --energy e.json [--power-settings p.json] [--rate YYYY-MM-DD=7.5 ...] [--dry-run]";

    public static async Task<int> RunAsync(string[] args)
    {
        string? devices = null, logs = null, energy = null, settings = null;
        var dryRun = false;
        var rates = new List<PlannedRate>();
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--devices": devices = Next(); break;
                case "--activity-logs": logs = Next(); break;
                case "--energy": energy = Next(); break;
                case "--power-settings": settings = Next(); break;
                case "--dry-run": dryRun = true; break;
                case "--rate": rates.Add(ParseRate(Next())); break;
                default: rest.Add(args[i]); break;
            }
        }
        if (devices is null || logs is null || energy is null)
        {
            throw new ArgumentException("migrate-legacy needs --devices, --activity-logs and --energy");
        }
        var request = new LegacyMigrationRequest(devices, logs, energy, settings, dryRun, rates);
        var builder = WebApplication.CreateBuilder(rest.ToArray());
        if (dryRun)
        {
            var site = builder.Configuration.GetSection(SiteOptions.Section).Get<SiteOptions>() ?? new SiteOptions();
            var ledger = builder.Configuration.GetSection(LedgerOptions.Section).Get<LedgerOptions>() ?? new LedgerOptions();
            await LegacyMigrator.DryRunAsync(request, site, ledger, SystemClock.Instance, Console.Out, CancellationToken.None);
            return 0;
        }
        using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        builder.AddAutoVoltInfrastructure(logging);
        builder.Services.AddSingleton<IClock>(SystemClock.Instance);
        await using var sp = builder.Services.BuildServiceProvider();
        try
        {
            await sp.GetRequiredService<LegacyMigrator>().RunAsync(request, Console.Out, CancellationToken.None);
            return 0;
        }
        finally
        {
            sp.GetService<EmbeddedPostgres>()?.Stop();
        }
    }

    private static PlannedRate ParseRate(string text)
    {
        var parts = text.Split('=', 2);
        var date = parts.Length == 2 ? LocalDatePattern.Iso.Parse(parts[0]) : null;
        if (date is not { Success: true } || !decimal.TryParse(parts[1], NumberStyles.Number, CultureInfo.InvariantCulture, out var rate))
        {
            throw new ArgumentException($"--rate expects YYYY-MM-DD=rate, got '{text}'");
        }
        return new PlannedRate(date.Value, rate, "--rate");
    }
}
