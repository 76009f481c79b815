using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AutoVolt.Web.Tests.Support;

/// <summary>
/// The real app on a real Kestrel port, against a fresh database of the shared test cluster and
/// an embedded broker on a free port. Known bootstrap credentials: admin / <see cref="AdminPassword"/>
/// and API key <see cref="AdminApiKey"/>.
/// </summary>
public class AutoVoltAppFactory : WebApplicationFactory<Program>
{
    public const string AdminPassword = "admin-password-for-tests";
    public const string AdminApiKey = "test-admin-api-key-0123456789";

    private readonly Dictionary<string, string?> _settings = new();

    public AutoVoltAppFactory(string? connectionString = null)
    {
        ConnectionString = connectionString ?? TestPostgres.CreateEmptyDatabase("app");
        MqttPort = TestPorts.Free();
    }

    /// <summary>The embedded default: no connection string, a private cluster in <paramref name="embeddedDataDirectory"/>.</summary>
    public static AutoVoltAppFactory Embedded(string embeddedDataDirectory) =>
        new AutoVoltAppFactory("").With("Embedded:DataDirectory", embeddedDataDirectory);

    /// <summary>Empty for the embedded default.</summary>
    public string ConnectionString { get; }

    public int MqttPort { get; }

    public Uri BaseAddress => ClientOptions.BaseAddress;

    /// <summary>Adds a configuration value (before the app starts).</summary>
    public AutoVoltAppFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Starts Kestrel on a free loopback port.</summary>
    public AutoVoltAppFactory StartOnRealPort()
    {
        UseKestrel(0);
        StartServer();
        return this;
    }

    /// <summary>Stops the host, then closes the idle pooled connections it left (Hangfire's pool is per connection string).</summary>
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:AutoVolt", ConnectionString);
        builder.UseSetting("Mqtt:ListenPort", MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Auth:BootstrapAdminPassword", AdminPassword);
        builder.UseSetting("Auth:BootstrapApiKey", AdminApiKey);
        builder.UseSetting("Ledger:SettleSeconds", "0");
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }
    }
}
