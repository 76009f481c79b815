using System.Security.Cryptography;
using AutoVolt.Infrastructure.Auth;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using Microsoft.Extensions.Options;

namespace AutoVolt.Web.Auth;

/// <summary>
/// Creates the bootstrap admin and API key from configuration. When no user exists and no
/// bootstrap password is configured, generates one and writes it to a file readable only by
/// the current user (the path is logged, never the password).
/// </summary>
public sealed class AuthBootstrapper(UserStore users, IOptions<AuthOptions> options, IOptions<EmbeddedOptions> embedded, ILogger<AuthBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!string.IsNullOrEmpty(o.BootstrapAdminPassword))
        {
            // Only creates 'admin': a password or role changed later in the admin page is not reset on restart.
            if ((await users.ListUsersAsync(cancellationToken)).Any(u => u.UserName == "admin"))
            {
                logger.LogInformation("Auth:BootstrapAdminPassword is set but user 'admin' exists; its password is left as it is");
            }
            else
            {
                await users.CreateOrUpdateUserAsync("admin", o.BootstrapAdminPassword, Roles.Admin, cancellationToken);
                logger.LogInformation("Bootstrap administrator 'admin' created from Auth:BootstrapAdminPassword");
            }
        }
        if (!string.IsNullOrEmpty(o.BootstrapApiKey))
        {
            // A revoked bootstrap key stays revoked: revocation must survive restarts.
            var existing = (await users.ListApiKeysAsync(cancellationToken)).FirstOrDefault(k => k.Name == "bootstrap");
            if (existing is { RevokedAt: not null })
            {
                logger.LogWarning("Auth:BootstrapApiKey is set but the 'bootstrap' key was revoked; it stays revoked. Remove the setting");
            }
            else
            {
                await users.CreateApiKeyAsync("bootstrap", Roles.Admin, o.BootstrapApiKey, cancellationToken);
                logger.LogInformation("Bootstrap admin API key configured from Auth:BootstrapApiKey");
            }
        }
        if (!await users.AnyUserAsync(cancellationToken))
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(embedded.Value.DataDirectory ?? EmbeddedPostgres.DefaultDataDirectory()))!;
            Directory.CreateDirectory(dir);
            var file = Path.Combine(dir, "initial-admin-password");
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
            await File.WriteAllTextAsync(file, password + Environment.NewLine, cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            await users.CreateOrUpdateUserAsync("admin", password, Roles.Admin, cancellationToken);
            logger.LogWarning("No users existed: created 'admin' with a generated password stored in {File}. Sign in and keep it safe.", file);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
