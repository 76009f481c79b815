using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AutoVolt.Infrastructure.Database;
using Dapper;
using Microsoft.AspNetCore.Identity;
using NodaTime;

namespace AutoVolt.Infrastructure.Ingestion;

/// <summary>
/// Per-board MQTT credentials (table <c>board_credentials</c>): a board connects with username = its
/// esp32_name and a generated secret, stored only as an Identity password hash (PBKDF2). Successful
/// verifications are remembered briefly (by a SHA-256 of the secret) so a reconnect storm does not
/// cost one slow hash per connection.
/// </summary>
public sealed partial class BoardCredentialStore(AutoVoltDatabase db, IClock clock)
{
    private static readonly PasswordHasher<string> Hasher = new();
    private static readonly Duration CacheFor = Duration.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (byte[] SecretSha, Instant Until)> _verified = new(StringComparer.Ordinal);

    /// <summary>Creates (or replaces, un-revoking) the board's credential and returns the new secret; it is not stored in clear.</summary>
    public async Task<string> CreateAsync(string esp32Name, CancellationToken ct = default)
    {
        if (!NamePattern().IsMatch(esp32Name))
        {
            throw new ArgumentException($"'{esp32Name}' is not a valid esp32_name (letters, digits, '_', '.', '-'; at most 64).", nameof(esp32Name));
        }
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        const string sql = """
            INSERT INTO board_credentials (esp32_name, secret_hash, created_at)
            VALUES (@esp32Name, @hash, @now)
            ON CONFLICT (esp32_name) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at, revoked_at = NULL
            """;
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { esp32Name, hash = Hasher.HashPassword(esp32Name, secret), now = clock.GetCurrentInstant() }, cancellationToken: ct));
        _verified.TryRemove(esp32Name, out _);
        return secret;
    }

    /// <summary>Revokes the board's credential; its next connection is refused.</summary>
    public async Task<bool> RevokeAsync(string esp32Name, CancellationToken ct = default)
    {
        const string sql = "UPDATE board_credentials SET revoked_at = @now WHERE esp32_name = @esp32Name AND revoked_at IS NULL";
        await using var conn = await db.OpenAsync(ct);
        var n = await conn.ExecuteAsync(new CommandDefinition(sql, new { esp32Name, now = clock.GetCurrentInstant() }, cancellationToken: ct));
        _verified.TryRemove(esp32Name, out _);
        return n > 0;
    }

    /// <summary>Whether <paramref name="secret"/> is the current, unrevoked secret of <paramref name="esp32Name"/>.</summary>
    public async Task<bool> VerifyAsync(string esp32Name, string secret, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(esp32Name) || string.IsNullOrEmpty(secret))
        {
            return false;
        }
        var now = clock.GetCurrentInstant();
        var sha = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        if (_verified.TryGetValue(esp32Name, out var hit) && hit.Until > now && CryptographicOperations.FixedTimeEquals(hit.SecretSha, sha))
        {
            return true;
        }
        const string sql = "SELECT secret_hash FROM board_credentials WHERE esp32_name = @esp32Name AND revoked_at IS NULL";
        string? hash;
        await using (var conn = await db.OpenAsync(ct))
        {
            hash = await conn.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql, new { esp32Name }, cancellationToken: ct));
        }
        if (hash is null)
        {
            return false;
        }
        var ok = Hasher.VerifyHashedPassword(esp32Name, hash, secret) != PasswordVerificationResult.Failed;
        if (ok)
        {
            _verified[esp32Name] = (sha, now + CacheFor);
        }
        return ok;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex NamePattern();
}
