using AutoVolt.Infrastructure.Ingestion;

namespace AutoVolt.Web.Cli;

/// <summary><c>add-board &lt;esp32_name&gt;</c>: creates (or replaces) a board's MQTT credential and prints the secret once.</summary>
public static class AddBoardVerb
{
    public const string Usage = "       AutoVolt.Web add-board <esp32_name>                  create/replace a board's MQTT secret (printed once)";

    public static async Task<int> RunAsync(IServiceProvider services, string[] positional, TextWriter output)
    {
        if (positional.Length != 1)
        {
            throw new ArgumentException("add-board needs <esp32_name>");
        }
        var name = positional[0];
        var secret = await services.GetRequiredService<BoardCredentialStore>().CreateAsync(name);
        await output.WriteLineAsync($"Board '{name}': connect with MQTT username '{name}' and this password; it is shown only now:");
        await output.WriteLineAsync(secret);
        return 0;
    }
}
