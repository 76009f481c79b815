using AutoVolt.Infrastructure.Auth;
using Hangfire.Dashboard;

namespace AutoVolt.Web.Auth;

/// <summary>/hangfire is for administrators only (no loopback exception: a reverse proxy would make everyone local).</summary>
public sealed class HangfireDashboardAuthFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && user.IsInRole(Roles.Admin);
    }
}
