using AutoVolt.Infrastructure;
using AutoVolt.Infrastructure.Auth;
using AutoVolt.Infrastructure.Database;
using NodaTime;

namespace AutoVolt.Web.Cli;

/// <summary>
/// Command-line verbs: <c>migrate-db</c>, <c>add-user &lt;name&gt; &lt;role&gt;</c> (password from AUTOVOLT_PASSWORD or stdin),
/// <c>add-api-key &lt;name&gt; &lt;role&gt;</c>, <c>add-board &lt;esp32_name&gt;</c>. Configuration (connection string, embedded data folder) is read as for the web app.
/// </summary>
public static class CliVerbs
{
    private static readonly string[] Verbs = ["migrate-db", "add-user", "add-api-key", "add-board", "migrate-legacy", "help", "--help"];

    public static bool IsVerb(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    /// <summary>The web app's own flags (like --demo) removed, so configuration binding does not see them.</summary>
    public static string[] WithoutAppFlags(string[] args) => args.Where(a => a != "--demo").ToArray();

    public static async Task<int> RunAsync(string[] args)
    {
        var verb = args[0];
        if (verb is "help" or "--help")
        {
            PrintUsage(Console.Out);
            return 0;
        }
        if (verb == "migrate-legacy")
        {
            try
            {
                return await MigrateLegacyVerb.RunAsync(args[1..]);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or System.Text.Json.JsonException or EmbeddedPostgresException)
            {
                return Usage(ex.Message);
            }
        }
        var positional = args.Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var builder = WebApplication.CreateBuilder(args.Skip(1 + positional.Length).ToArray());
        using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        try
        {
            builder.AddAutoVoltInfrastructure(logging);
        }
        catch (EmbeddedPostgresException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }
        builder.Services.AddSingleton<IClock>(SystemClock.Instance);
        builder.Services.AddSingleton<UserStore>();
        await using var sp = builder.Services.BuildServiceProvider();
        try
        {
            switch (verb)
            {
                case "migrate-db":
                    Console.WriteLine("Database is up to date.");
                    return 0;
                case "add-user":
                {
                    if (positional.Length != 2)
                    {
                        return Usage("add-user needs <name> <role>");
                    }
                    var password = Environment.GetEnvironmentVariable("AUTOVOLT_PASSWORD") ?? (await Console.In.ReadLineAsync())?.Trim();
                    if (string.IsNullOrEmpty(password))
                    {
                        return Usage("add-user reads the password from AUTOVOLT_PASSWORD or the first line of standard input");
                    }
                    await sp.GetRequiredService<UserStore>().CreateOrUpdateUserAsync(positional[0], password, positional[1]);
                    Console.WriteLine($"User '{positional[0]}' saved with role {positional[1]}.");
                    return 0;
                }
                case "add-api-key":
                {
                    if (positional.Length != 2)
                    {
                        return Usage("add-api-key needs <name> <role>");
                    }
                    var key = await sp.GetRequiredService<UserStore>().CreateApiKeyAsync(positional[0], positional[1]);
                    Console.WriteLine($"API key '{positional[0]}' ({positional[1]}). Send it as header X-Api-Key; it is shown only now:");
                    Console.WriteLine(key);
                    return 0;
                }
                case "add-board":
                    return await AddBoardVerb.RunAsync(sp, positional, Console.Out);
                default:
                    return Usage($"unknown verb {verb}");
            }
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
        finally
        {
            sp.GetService<EmbeddedPostgres>()?.Stop();
        }
    }

    private static int Usage(string error)
    {
        Console.Error.WriteLine("error: " + error);
        PrintUsage(Console.Error);
        return 2;
    }

    private static void PrintUsage(TextWriter w)
    {
        w.WriteLine("usage: AutoVolt.Web [--demo] [--Section:Key=value ...]      run the web app");
        w.WriteLine("       AutoVolt.Web migrate-db                              apply database migrations");
        w.WriteLine("       AutoVolt.Web add-user <name> <viewer|operator|admin> (password from AUTOVOLT_PASSWORD or stdin)");
        w.WriteLine("       AutoVolt.Web add-api-key <name> <viewer|operator|admin>");
        w.WriteLine(AddBoardVerb.Usage);
        w.WriteLine(MigrateLegacyVerb.Usage);
    }
}
