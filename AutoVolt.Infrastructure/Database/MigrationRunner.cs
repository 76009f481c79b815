using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;

namespace AutoVolt.Infrastructure.Database;

/// <summary>Applies the numbered, forward-only scripts of db/migrations (embedded) with DbUp.</summary>
public static class MigrationRunner
{
    private const string ResourcePrefix = "AutoVolt.Migrations.";

    /// <summary>Creates the database if missing and applies every script not yet applied.</summary>
    /// <returns>Names of the scripts applied by this call.</returns>
    public static IReadOnlyList<string> Migrate(string connectionString, ILogger logger)
    {
        EnsureDatabase.For.PostgresqlDatabase(connectionString, new DbUpLog(logger));
        var upgrader = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(MigrationRunner).Assembly, name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogTo(new DbUpLog(logger))
            .Build();
        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Database migration failed in {result.ErrorScript?.Name}: {result.Error.Message}", result.Error);
        }
        return result.Scripts.Select(s => s.Name[ResourcePrefix.Length..]).ToList();
    }

    /// <summary>Names of all migration scripts shipped in this build, in order.</summary>
    public static IReadOnlyList<string> ShippedScripts() =>
        typeof(MigrationRunner).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..])
            .Order(StringComparer.Ordinal)
            .ToList();

    private sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace(format, args);
        public void LogDebug(string format, params object[] args) => logger.LogDebug(format, args);
        public void LogInformation(string format, params object[] args) => logger.LogInformation(format, args);
        public void LogWarning(string format, params object[] args) => logger.LogWarning(format, args);
        public void LogError(string format, params object[] args) => logger.LogError(format, args);
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, format, args);
    }
}
