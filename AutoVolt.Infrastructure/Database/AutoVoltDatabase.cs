using Npgsql;

namespace AutoVolt.Infrastructure.Database;

/// <summary>The one NpgsqlDataSource of the app (NodaTime enabled) and its connection string.</summary>
public sealed class AutoVoltDatabase : IAsyncDisposable
{
    public AutoVoltDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        NodaTimeTypeHandlers.Register();
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // No JIT compilation: for this app's queries it cost more than it saved. The pending-devices count of every ledger
        // run compiled for ~90 ms, and a batch's live-rows lookup (one probe per device-day, estimated high because the
        // planner cannot see how many days a window has) for ~30 ms, each longer than the query itself.
        // A connection string that sets jit itself (Options=-c jit=on) keeps its choice.
        var options = builder.ConnectionStringBuilder.Options ?? "";
        if (!options.Contains("jit", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.Options = (options + " -c jit=off").Trim();
        }
        builder.UseNodaTime();
        DataSource = builder.Build();
    }

    /// <summary>Plain connection string (also what Hangfire uses: it must not get the NodaTime data source).</summary>
    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct = default) => DataSource.OpenConnectionAsync(ct);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
