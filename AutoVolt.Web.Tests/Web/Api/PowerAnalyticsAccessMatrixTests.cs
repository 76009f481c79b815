using System.Net;
using System.Text;
using AutoVolt.Web.Tests.Infrastructure.Analytics;
using AutoVolt.Web.Tests.Support;

namespace AutoVolt.Web.Tests.Web.Api;

/// <summary>Every endpoint × anonymous, wrong key, viewer, operator, admin: reads need viewer+, POST cost-versions admin.</summary>
public sealed class PowerAnalyticsAccessMatrixTests(AnalyticsFixture app) : IClassFixture<AnalyticsFixture>
{
    private const string P = "/api/power-analytics";

    public static TheoryData<string, string, string?, int> Matrix()
    {
        string[] reads =
        [
            "/summary?date=2025-11-02", "/timeline?start=2025-11-02&end=2025-11-02&bucket=60", "/device-breakdown?date=2025-11-02",
            "/monthly?year=2025&month=11", "/cost-versions", "/export-csv?start=2025-11-01&end=2025-11-30", "/health",
        ];
        (string Who, string? Key)[] principals =
        [
            ("anonymous", null), ("wrong", "not-a-valid-key-000000000000"), ("viewer", AnalyticsFixture.ViewerKey),
            ("operator", AnalyticsFixture.OperatorKey), ("admin", AutoVoltAppFactory.AdminApiKey),
        ];
        var data = new TheoryData<string, string, string?, int>();
        foreach (var (who, key) in principals)
        {
            int readStatus = key is null || who == "wrong" ? 401 : 200;
            foreach (var read in reads)
            {
                data.Add("GET", read, who, readStatus);
            }
            data.Add("POST", "/cost-versions", who, who switch { "anonymous" or "wrong" => 401, "admin" => 201, _ => 403 });
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Endpoint_Principal_StatusAsDesigned(string method, string path, string? who, int expected)
    {
        string? key = who switch
        {
            "wrong" => "not-a-valid-key-000000000000",
            "viewer" => AnalyticsFixture.ViewerKey,
            "operator" => AnalyticsFixture.OperatorKey,
            "admin" => AutoVoltAppFactory.AdminApiKey,
            _ => null,
        };
        using var client = app.Client(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(P + path, UriKind.Relative));
        if (method == "POST")
        {
            request.Content = new StringContent("""{"cost_per_kwh": 0.5, "effective_from": "2025-06-01T00:00", "classroom": "A-101"}""", Encoding.UTF8, "application/json");
        }
        using var response = await client.SendAsync(request);

        Assert.Equal((HttpStatusCode)expected, response.StatusCode);
    }
}
