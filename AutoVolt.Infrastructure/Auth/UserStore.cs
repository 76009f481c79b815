using System.Security.Cryptography;
using System.Text;
using AutoVolt.Infrastructure.Database;
using Dapper;
using Microsoft.AspNetCore.Identity;
using NodaTime;

namespace AutoVolt.Infrastructure.Auth;

/// <summary>Roles, least to most privileged.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static readonly string[] All = [Viewer, Operator, Admin];

    /// <summary>Roles a holder of <paramref name="role"/> has (admin ⊃ operator ⊃ viewer).</summary>
    public static IReadOnlyList<string> Implied(string role) => role switch
    {
        Admin => [Viewer, Operator, Admin],
        Operator => [Viewer, Operator],
        _ => [Viewer],
    };
}

public sealed record AppUser(string UserName, string Role, int FailedAttempts, Instant? LockedUntil);

/// <summary>An API key as listed to administrators (never the key itself: only its first characters).</summary>
public sealed record ApiKeyInfo(long Id, string Name, string KeyPrefix, string Role, Instant CreatedAt, Instant? RevokedAt);

public enum SignInOutcome
{
    Succeeded,
    Failed,
    LockedOut,
}

/// <summary>Staff accounts (passwords hashed with ASP.NET Core Identity's hasher) and API keys (stored as SHA-256).</summary>
public sealed class UserStore(AutoVoltDatabase db, IClock clock)
{
    public const int MaxFailedAttempts = 5;
    public static readonly Duration LockoutDuration = Duration.FromMinutes(15);
    public const int MinPasswordLength = 8;
    public const int MaxKeyNameLength = 64;
    private static readonly PasswordHasher<string> Hasher = new();

    /// <summary>Same rule as the app_users check constraint: 1–64 of letters, digits and <c>_ . @ -</c>.</summary>
    public static bool IsValidUserName(string? userName) =>
        !string.IsNullOrEmpty(userName) && userName.Length <= 64 && userName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '@' or '-');

    public static bool IsValidRole(string? role) => role is not null && Roles.All.Contains(role);

    public async Task CreateOrUpdateUserAsync(string userName, string password, string role, CancellationToken ct = default)
    {
        ValidateRole(role);
        ValidateUserName(userName);
        ValidatePassword(password);
        const string sql = """
            INSERT INTO app_users (user_name, password_hash, role, created_at)
            VALUES (@userName, @hash, @role, @now)
            ON CONFLICT (user_name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role,
                failed_attempts = 0, locked_until = NULL
            """;
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { userName, hash = Hasher.HashPassword(userName, password), role, now = clock.GetCurrentInstant() }, cancellationToken: ct));
    }

    public async Task<bool> AnyUserAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM app_users)", cancellationToken: ct));
    }

    public async Task<IReadOnlyList<AppUser>> ListUsersAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        var rows = await conn.QueryAsync<AppUser>(new CommandDefinition(
            "SELECT user_name, role, failed_attempts, locked_until FROM app_users ORDER BY user_name", cancellationToken: ct));
        return rows.ToList();
    }

    /// <summary>Changes a user's role; false when the user does not exist.</summary>
    public async Task<bool> SetRoleAsync(string userName, string role, CancellationToken ct = default)
    {
        ValidateRole(role);
        await using var conn = await db.OpenAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE app_users SET role = @role WHERE user_name = @userName", new { userName, role }, cancellationToken: ct)) == 1;
    }

    /// <summary>Sets a new password (and clears any lockout); false when the user does not exist.</summary>
    public async Task<bool> SetPasswordAsync(string userName, string password, CancellationToken ct = default)
    {
        ValidatePassword(password);
        await using var conn = await db.OpenAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE app_users SET password_hash = @hash, failed_attempts = 0, locked_until = NULL WHERE user_name = @userName",
            new { userName, hash = Hasher.HashPassword(userName, password) }, cancellationToken: ct)) == 1;
    }

    /// <summary>Ends a lockout and resets the failure count; false when the user does not exist.</summary>
    public async Task<bool> UnlockAsync(string userName, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE app_users SET failed_attempts = 0, locked_until = NULL WHERE user_name = @userName", new { userName }, cancellationToken: ct)) == 1;
    }

    /// <summary>Checks a password; counts failures and locks the account after <see cref="MaxFailedAttempts"/>.</summary>
    public async Task<(SignInOutcome Outcome, AppUser? User)> VerifyPasswordAsync(string userName, string password, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(string UserName, string PasswordHash, string Role, int FailedAttempts, Instant? LockedUntil)>(
            new CommandDefinition("SELECT user_name, password_hash, role, failed_attempts, locked_until FROM app_users WHERE user_name = @userName", new { userName }, cancellationToken: ct));
        var now = clock.GetCurrentInstant();
        if (row.UserName is null)
        {
            // Same work as a real check, so timing does not reveal which names exist.
            Hasher.VerifyHashedPassword(userName, Hasher.HashPassword(userName, "x"), password);
            return (SignInOutcome.Failed, null);
        }
        if (row.LockedUntil is { } until && until > now)
        {
            return (SignInOutcome.LockedOut, null);
        }
        var ok = Hasher.VerifyHashedPassword(userName, row.PasswordHash, password) != PasswordVerificationResult.Failed;
        if (ok)
        {
            await conn.ExecuteAsync(new CommandDefinition("UPDATE app_users SET failed_attempts = 0, locked_until = NULL WHERE user_name = @userName", new { userName }, cancellationToken: ct));
            return (SignInOutcome.Succeeded, new AppUser(row.UserName, row.Role, 0, null));
        }
        var failed = row.FailedAttempts + 1;
        Instant? lockUntil = failed >= MaxFailedAttempts ? now + LockoutDuration : null;
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE app_users SET failed_attempts = @failed, locked_until = @lockUntil WHERE user_name = @userName",
            new { userName, failed = lockUntil is null ? failed : 0, lockUntil }, cancellationToken: ct));
        return (lockUntil is null ? SignInOutcome.Failed : SignInOutcome.LockedOut, null);
    }

    /// <summary>Creates an API key; the returned key is shown once and only its hash is stored.</summary>
    public async Task<string> CreateApiKeyAsync(string name, string role, string? key = null, CancellationToken ct = default)
    {
        ValidateRole(role);
        key ??= "av_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        const string sql = """
            INSERT INTO api_keys (name, key_prefix, key_hash, role, created_at) VALUES (@name, @prefix, @hash, @role, @now)
            ON CONFLICT (name) DO UPDATE SET key_prefix = excluded.key_prefix, key_hash = excluded.key_hash, role = excluded.role, revoked_at = NULL
            """;
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { name, prefix = key[..Math.Min(6, key.Length)], hash = HashKey(key), role, now = clock.GetCurrentInstant() }, cancellationToken: ct));
        return key;
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken ct = default)
    {
        const string sql = "SELECT id, name, key_prefix, role, created_at, revoked_at FROM api_keys ORDER BY revoked_at IS NOT NULL, name";
        await using var conn = await db.OpenAsync(ct);
        return (await conn.QueryAsync<ApiKeyInfo>(new CommandDefinition(sql, cancellationToken: ct))).ToList();
    }

    /// <summary>Revokes a key (it stops authenticating on the next request); false when it does not exist or is already revoked.</summary>
    public async Task<bool> RevokeApiKeyAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL", new { id, now = clock.GetCurrentInstant() }, cancellationToken: ct)) == 1;
    }

    /// <summary>Role of a valid, unrevoked key; null otherwise.</summary>
    public async Task<(string Name, string Role)?> FindApiKeyAsync(string key, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(string Name, string Role)>(new CommandDefinition(
            "SELECT name, role FROM api_keys WHERE key_hash = @hash AND revoked_at IS NULL", new { hash = HashKey(key) }, cancellationToken: ct));
        return row.Name is null ? null : row;
    }

    private static byte[] HashKey(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static void ValidateUserName(string userName)
    {
        if (!IsValidUserName(userName))
        {
            throw new ArgumentException("User names have 1–64 letters, digits or _ . @ -.", nameof(userName));
        }
    }

    private static void ValidatePassword(string password)
    {
        if (password.Length < MinPasswordLength)
        {
            throw new ArgumentException($"Passwords must have at least {MinPasswordLength} characters.", nameof(password));
        }
    }

    private static void ValidateRole(string role)
    {
        if (!Roles.All.Contains(role))
        {
            throw new ArgumentException($"Unknown role '{role}'; use one of {string.Join(", ", Roles.All)}.", nameof(role));
        }
    }
}
