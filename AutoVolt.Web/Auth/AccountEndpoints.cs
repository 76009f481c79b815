using AutoVolt.Infrastructure.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace AutoVolt.Web.Auth;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/login", LoginAsync).AllowAnonymous();
        app.MapPost("/account/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/login");
        });
        return app;
    }

    private static async Task<IResult> LoginAsync(HttpContext http, UserStore users,
        [FromForm] string username, [FromForm] string password, [FromForm] string? returnUrl)
    {
        var (outcome, user) = await users.VerifyPasswordAsync(username ?? "", password ?? "", http.RequestAborted);
        var safeReturn = !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/";
        if (outcome != SignInOutcome.Succeeded || user is null)
        {
            var error = outcome == SignInOutcome.LockedOut ? "locked" : "invalid";
            return Results.LocalRedirect($"/login?error={error}&returnUrl={Uri.EscapeDataString(safeReturn)}");
        }
        var principal = AuthPrincipals.Create(user.UserName, user.Role, CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return Results.LocalRedirect(safeReturn);
    }
}
