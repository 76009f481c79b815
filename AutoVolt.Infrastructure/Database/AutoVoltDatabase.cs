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
        builder.UseNodaTime();
        DataSource = builder.Build();
    }

    /// <summary>Plain connection string (also what Hangfire uses: it must not get the NodaTime data source).</summary>
    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct = default) => DataSource.OpenConnectionAsync(ct);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
