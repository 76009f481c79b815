using System.Net;
using System.Text;
using System.Text.Json;
using AutoVolt.Web.Tests.Infrastructure.Analytics;
using AutoVolt.Web.Tests.Support;

namespace AutoVolt.Web.Tests.Web.Api;

// Seed: AnalyticsFixture.SeedAsync (America/New_York, USD, rate 0.2/kWh).
public sealed class PowerAnalyticsApiTests(AnalyticsFixture app) : IClassFixture<AnalyticsFixture>
{
    private const string P = "/api/power-analytics";

    private async Task<JsonElement> GetJsonAsync(string url, string key = AnalyticsFixture.ViewerKey)
    {
        using var client = app.Client(key);
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Summary_FallBackDay_SnakeCaseTotals()
    {
        var s = await GetJsonAsync($"{P}/summary?date=2025-11-02");

        Assert.Equal("2025-11-02", s.GetProperty("date").GetString());
        Assert.Equal(202.5m, s.GetProperty("energy_wh").GetDecimal());
        Assert.Equal(0.0405m, s.GetProperty("cost").GetDecimal());
        Assert.Equal("USD", s.GetProperty("currency").GetString());
        Assert.Equal(10800m, s.GetProperty("on_time_sec").GetDecimal());
        var conf = s.GetProperty("energy_by_confidence");
        Assert.Equal((117.5m, 25m, 60m), (conf.GetProperty("high").GetDecimal(), conf.GetProperty("medium").GetDecimal(), conf.GetProperty("low").GetDecimal()));
        Assert.Equal(3, s.GetProperty("devices").GetInt32());
        Assert.Equal(0.296296m, s.GetProperty("quality").GetProperty("estimated_share").GetDecimal());
        Assert.Equal(2, s.GetProperty("quality").GetProperty("flag_counts").GetProperty("gap").GetInt32());
    }

    [Fact]
    public async Task Summary_EmptyDayAndSqlMetacharacters_ZerosNot404()
    {
        var empty = await GetJsonAsync($"{P}/summary?date=2025-11-04");
        var meta = await GetJsonAsync($"{P}/summary?date=2025-11-02&classroom={Uri.EscapeDataString("x' OR '1'='1'; DROP TABLE ledger_entries; --")}");

        Assert.Equal((0m, 0), (empty.GetProperty("energy_wh").GetDecimal(), empty.GetProperty("devices").GetInt32()));
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("quality").GetProperty("estimated_share").ValueKind);
        Assert.Equal(0m, meta.GetProperty("energy_wh").GetDecimal());
        Assert.Equal(202.5m, (await GetJsonAsync($"{P}/summary?date=2025-11-02")).GetProperty("energy_wh").GetDecimal());
    }

    [Fact]
    public async Task Timeline_FallBackDay_IsoBucketsSumToSummary()
    {
        var t = await GetJsonAsync($"{P}/timeline?start=2025-11-02&end=2025-11-02&bucket=60");
        var buckets = t.GetProperty("buckets").EnumerateArray().ToList();

        Assert.Equal(60, t.GetProperty("bucket_minutes").GetInt32());
        Assert.Equal(25, buckets.Count);
        Assert.Equal("2025-11-02T04:00:00Z", buckets[0].GetProperty("start").GetString());
        Assert.Equal("2025-11-02T01:00:00-04:00", buckets[1].GetProperty("local_start").GetString());
        Assert.Equal("2025-11-02T01:00:00-05:00", buckets[2].GetProperty("local_start").GetString());
        Assert.Equal(30m, buckets[1].GetProperty("estimated_wh").GetDecimal());
        Assert.Equal(202.5m, buckets.Sum(b => b.GetProperty("energy_wh").GetDecimal()));
        Assert.Equal(0.0405m, buckets.Sum(b => b.GetProperty("cost").GetDecimal()));
    }

    [Fact]
    public async Task DeviceBreakdown_FallBackDay_IncludesOfflineDevice()
    {
        var b = await GetJsonAsync($"{P}/device-breakdown?date=2025-11-02");
        var devices = b.GetProperty("devices").EnumerateArray().ToList();

        Assert.Equal(3, devices.Count);
        var evil = Assert.Single(devices, d => d.GetProperty("device_key").GetString() == "ESPB/-evil");
        Assert.Equal(("offline", "ESPB", "-evil"), (evil.GetProperty("online_state").GetString(), evil.GetProperty("esp32_name").GetString(), evil.GetProperty("device_id").GetString()));
        Assert.Equal(0.037037m, evil.GetProperty("share").GetDecimal());
        Assert.Equal(185m, devices[0].GetProperty("energy_wh").GetDecimal());
    }

    [Fact]
    public async Task Monthly_November_EveryDayWithZeros()
    {
        var m = await GetJsonAsync($"{P}/monthly?year=2025&month=11&classroom=A-101");
        var days = m.GetProperty("days").EnumerateArray().ToList();

        Assert.Equal(30, days.Count);
        Assert.Equal("2025-11-30", days[^1].GetProperty("date").GetString());
        Assert.Equal(195m, m.GetProperty("energy_wh").GetDecimal());
        Assert.Equal(195m, days[1].GetProperty("energy_wh").GetDecimal());
        Assert.Equal(0m, days[0].GetProperty("energy_wh").GetDecimal());
    }

    [Fact]
    public async Task CostVersions_PostAsAdmin_CreatedAndListed()
    {
        using var admin = app.Client(AutoVoltAppFactory.AdminApiKey);
        using var response = await admin.PostAsync(new Uri($"{P}/cost-versions", UriKind.Relative),
            Json("""{"cost_per_kwh": 0.31, "effective_from": "2025-11-02T01:30", "device": "ESPA/light_1", "notes": "fall back"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var v = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("device", v.GetProperty("scope").GetString());
        Assert.Equal("2025-11-02T01:30:00", v.GetProperty("effective_from").GetString());
        Assert.Equal("2025-11-02T05:30:00Z", v.GetProperty("effective_at").GetString()); // ambiguous 01:30 → earlier (EDT)
        Assert.Equal("USD", v.GetProperty("currency").GetString());
        Assert.StartsWith("apikey:", v.GetProperty("created_by").GetString(), StringComparison.Ordinal);
        Assert.True(v.GetProperty("affects_accounted_history").GetBoolean());
        var list = await GetJsonAsync($"{P}/cost-versions");
        Assert.Contains(list.GetProperty("versions").EnumerateArray(), x => x.GetProperty("id").GetInt64() == v.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task ExportCsv_Range_StreamedCsvWithEscapedCells()
    {
        using var client = app.Client(AnalyticsFixture.ViewerKey);
        using var response = await client.GetAsync(new Uri($"{P}/export-csv?start=2025-11-01&end=2025-11-30", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("autovolt-2025-11-01-2025-11-30.csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.StartsWith("local_date,classroom,esp32_name,device_id,device_key,energy_wh,cost,currency,", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("2025-11-02,\"'=HYPERLINK(", StringComparison.Ordinal) && l.Contains(",'-evil,", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(",=", StringComparison.Ordinal) || l.Contains(",-evil", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_Seeded_PipelineFigures()
    {
        var h = await GetJsonAsync($"{P}/health");

        Assert.Equal(0, h.GetProperty("telemetry_events_unprocessed").GetInt64());
        Assert.Equal(2, h.GetProperty("online_devices").GetInt32());
        Assert.Equal(0, h.GetProperty("inconsistent_days").GetInt32());
        Assert.EndsWith("Z", h.GetProperty("last_aggregation").GetString(), StringComparison.Ordinal);
        Assert.True(h.TryGetProperty("ingestion_lag_sec", out _));
    }

    [Theory]
    [InlineData("/summary?date=2025-13-01", "date")]
    [InlineData("/summary?date=yesterday", "date")]
    [InlineData("/device-breakdown?date=02/11/2025", "date")]
    [InlineData("/timeline?start=2025-11-02&end=2025-11-01", "end")]
    [InlineData("/timeline?start=2025-01-01&end=2025-02-15", "end")]
    [InlineData("/timeline?start=2025-11-02&end=2025-11-02&bucket=7", "bucket")]
    [InlineData("/timeline?start=2025-11-02&end=2025-11-02&bucket=1", "bucket")]
    [InlineData("/timeline?start=2025-11-02&end=2025-11-02&bucket=abc", "bucket")]
    [InlineData("/timeline?start=x&end=2025-11-02", "start")]
    [InlineData("/export-csv?start=2024-01-01&end=2025-11-02", "end")]
    [InlineData("/export-csv?start=2025-11-02&end=2025-11-01", "end")]
    [InlineData("/monthly?year=2025&month=13", "month")]
    [InlineData("/monthly?year=abc&month=1", "year")]
    [InlineData("/monthly?year=99999999999&month=1", "year")]
    [InlineData("/summary?date=2025-11-02&classroom=a%00b", "classroom")]
    [InlineData("/export-csv?start=2025-11-01&end=2025-11-02&classroom=%00", "classroom")]
    public async Task Get_BadInput_400ProblemNamingTheField(string url, string field)
    {
        using var client = app.Client(AnalyticsFixture.ViewerKey);
        using var response = await client.GetAsync(new Uri(P + url, UriKind.Relative));
        await AssertProblemAsync(response, field);
    }

    [Theory]
    [InlineData("""{"cost_per_kwh": -1, "effective_from": "2025-01-01"}""", "cost_per_kwh")]
    [InlineData("""{"cost_per_kwh": "abc", "effective_from": "2025-01-01"}""", "cost_per_kwh")]
    [InlineData("""{"effective_from": "2025-01-01"}""", "cost_per_kwh")]
    [InlineData("""{"cost_per_kwh": 1, "effective_from": "soon"}""", "effective_from")]
    [InlineData("""{"cost_per_kwh": 1, "effective_from": "2099-01-01T00:00"}""", "effective_from")]
    [InlineData("""{"cost_per_kwh": 1, "effective_from": "2025-01-01", "scope": "planet"}""", "scope")]
    [InlineData("""{"cost_per_kwh": 1, "effective_from": "2025-01-01", "device": "ESPA/missing"}""", "device")]
    [InlineData("""{"cost_per_kwh": 1, "effective_from": "2025-01-01", "classroom": "'; DROP TABLE devices; --"}""", "classroom")]
    [InlineData("""{"cost_per_kwh": 1, "effective_from": "2025-01-01", "currency": "dollars"}""", "currency")]
    [InlineData("""{"cost_per_kwh": 1, """, "body")]
    [InlineData("""{"cost_per_kwh": 1e40, "effective_from": "2025-01-01"}""", "cost_per_kwh")]
    [InlineData("""{"cost_per_kwh": 1, "effective_from": "2025-01-01", "notes": "a\u0000b"}""", "notes")]
    [InlineData("""[1, 2]""", "body")]
    public async Task PostCostVersion_BadInput_400ProblemNamingTheField(string body, string field)
    {
        using var admin = app.Client(AutoVoltAppFactory.AdminApiKey);
        using var response = await admin.PostAsync(new Uri($"{P}/cost-versions", UriKind.Relative), Json(body));
        await AssertProblemAsync(response, field);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors names {field}: {problem}");
    }

    [Fact]
    public async Task OpenApi_SignedInOnly_ListsEveryRoute()
    {
        using var anonymous = app.Client(null);
        using var viewer = app.Client(AnalyticsFixture.ViewerKey);
        using var anonDoc = await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        using var anonPage = await anonymous.GetAsync(new Uri("/scalar", UriKind.Relative));
        var doc = await viewer.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        using var page = await viewer.GetAsync(new Uri("/scalar/", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();

        Assert.NotEqual(HttpStatusCode.OK, anonDoc.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, anonPage.StatusCode);
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{page.StatusCode} {page.Headers.Location}");
        Assert.Contains("AutoVolt API", html, StringComparison.Ordinal);
        foreach (var route in new[] { "summary", "timeline", "device-breakdown", "monthly", "cost-versions", "export-csv", "health" })
        {
            Assert.Contains($"\"{P}/{route}\"", doc, StringComparison.Ordinal);
        }
        Assert.Contains("\"energy_wh\"", doc, StringComparison.Ordinal);
    }
}
