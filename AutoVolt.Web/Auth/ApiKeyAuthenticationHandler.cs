using System.Security.Claims;
using System.Text.Encodings.Web;
using AutoVolt.Infrastructure.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AutoVolt.Web.Auth;

/// <summary>Authenticates scripts by the <c>X-Api-Key</c> header (keys stored hashed).</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, UserStore users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || string.IsNullOrWhiteSpace(values.ToString()))
        {
            return AuthenticateResult.NoResult();
        }
        var found = await users.FindApiKeyAsync(values.ToString(), Context.RequestAborted);
        if (found is null)
        {
            return AuthenticateResult.Fail("Invalid API key");
        }
        var principal = AuthPrincipals.Create("apikey:" + found.Value.Name, found.Value.Role, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}

public static class AuthPrincipals
{
    public static ClaimsPrincipal Create(string name, string role, string scheme)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        claims.AddRange(Roles.Implied(role).Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}
