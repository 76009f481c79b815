using System.Net;
using System.Text.RegularExpressions;

namespace AutoVolt.Web.Tests.Support;

/// <summary>Signs in through the real login form (antiforgery token and cookie included).</summary>
public static partial class HttpAuth
{
    public static HttpClient NewClient(Uri baseAddress) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = baseAddress };

    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password)
    {
        var form = await client.GetStringAsync(new Uri("/login", UriKind.Relative));
        var token = AntiforgeryField().Match(form);
        Assert.True(token.Success, "login form has an antiforgery token");
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [token.Groups[1].Value] = WebUtility.HtmlDecode(token.Groups[2].Value),
            ["username"] = user,
            ["password"] = password,
            ["returnUrl"] = "/",
        });
        return await client.PostAsync(new Uri("/account/login", UriKind.Relative), content);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(__RequestVerificationToken)\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
