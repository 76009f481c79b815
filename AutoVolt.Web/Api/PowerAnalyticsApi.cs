using System.Text.Json;
using AutoVolt.Infrastructure.Analytics;
using AutoVolt.Infrastructure.Auth;
using AutoVolt.Infrastructure.Pricing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;
using Scalar.AspNetCore;

namespace AutoVolt.Web.Api;

/// <summary>
/// <c>/api/power-analytics</c> (DESIGN.md section 5): thin handlers over <see cref="AnalyticsQueries"/>, <see cref="CsvExport"/>
/// and <see cref="CostVersionStore"/>. Reads need the viewer role, creating a cost version the admin role. Every bad input is a
/// 400 problem details (RFC 9457) whose <c>errors</c> names the field at fault.
/// </summary>
public static class PowerAnalyticsApi
{
    public const string Prefix = "/api/power-analytics";

    /// <summary>Longest accepted classroom filter.</summary>
    public const int MaxClassroomLength = 200;

    private const int DefaultBucketMinutes = 60;

    private static readonly LocalDateTimePattern MinutesPattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");

    /// <summary>snake_case JSON for the HTTP APIs (DESIGN.md section 5) and the OpenAPI document.</summary>
    public static IServiceCollection AddPowerAnalyticsApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.AddOpenApi();
        return services;
    }

    /// <summary>Maps the routes, the OpenAPI document (<c>/openapi/v1.json</c>) and its reference page (<c>/scalar</c>); all need sign-in.</summary>
    public static IEndpointRouteBuilder MapPowerAnalyticsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix).WithTags("Power analytics").RequireAuthorization(p => p.RequireRole(Roles.Viewer));
        group.MapGet("/summary", SummaryAsync).WithSummary("Day totals from the daily aggregates");
        group.MapGet("/timeline", TimelineAsync).WithSummary("Buckets of local days from the ledger");
        group.MapGet("/device-breakdown", DeviceBreakdownAsync).WithSummary("Per device totals of a day");
        group.MapGet("/monthly", MonthlyAsync).WithSummary("Month totals and the per-day series");
        group.MapGet("/cost-versions", CostVersionsAsync).WithSummary("Rate history");
        group.MapPost("/cost-versions", CreateCostVersionAsync).WithSummary("Create a cost version (admin)")
            .Accepts<CreateCostVersionRequest>("application/json").RequireAuthorization(Roles.Admin);
        group.MapGet("/export-csv", ExportCsv).WithSummary("One CSV row per device-day (streamed)").Produces(StatusCodes.Status200OK, contentType: "text/csv");
        group.MapGet("/health", HealthAsync).WithSummary("Pipeline health");
        app.MapOpenApi().RequireAuthorization();
        app.MapScalarApiReference(o => o.WithTitle("AutoVolt API")).RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<SummaryResponse>, ValidationProblem>> SummaryAsync(
        [FromQuery] string? classroom, [FromQuery] string? date, AnalyticsQueries queries, CancellationToken ct)
    {
        if (Classroom(classroom, out var room) is { } p1)
        {
            return p1;
        }
        if (Date(date, "date", queries.Today(), out var day) is { } p2)
        {
            return p2;
        }
        return TypedResults.Ok((await queries.SummaryAsync(room, day, ct)).ToDto());
    }

    public static async Task<Results<Ok<TimelineResponse>, ValidationProblem>> TimelineAsync(
        [FromQuery] string? classroom, [FromQuery] string? start, [FromQuery] string? end, [FromQuery] string? bucket,
        AnalyticsQueries queries, CancellationToken ct)
    {
        if (Classroom(classroom, out var room) is { } p1)
        {
            return p1;
        }
        if (Range(start, end, queries.Today(), AnalyticsQueries.MaxTimelineDays, out var from, out var to) is { } p2)
        {
            return p2;
        }
        int minutes = DefaultBucketMinutes;
        if (!string.IsNullOrEmpty(bucket) && !int.TryParse(bucket, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out minutes))
        {
            return Problem("bucket", "The bucket must be a whole number of minutes.");
        }
        if (!AnalyticsQueries.IsValidBucket(minutes))
        {
            return Problem("bucket", "The bucket must be at least 5 minutes and divide 1440 (e.g. 5, 15, 60, 1440).");
        }
        return TypedResults.Ok((await queries.TimelineAsync(room, from, to, minutes, ct)).ToDto());
    }

    public static async Task<Results<Ok<DeviceBreakdownResponse>, ValidationProblem>> DeviceBreakdownAsync(
        [FromQuery] string? classroom, [FromQuery] string? date, AnalyticsQueries queries, CancellationToken ct)
    {
        if (Classroom(classroom, out var room) is { } p1)
        {
            return p1;
        }
        if (Date(date, "date", queries.Today(), out var day) is { } p2)
        {
            return p2;
        }
        return TypedResults.Ok((await queries.DeviceBreakdownAsync(room, day, ct)).ToDto());
    }

    public static async Task<Results<Ok<MonthlyResponse>, ValidationProblem>> MonthlyAsync(
        [FromQuery] string? classroom, [FromQuery] string? year, [FromQuery] string? month, AnalyticsQueries queries, CancellationToken ct)
    {
        if (Classroom(classroom, out var room) is { } p1)
        {
            return p1;
        }
        var today = queries.Today();
        int y = today.Year, m = today.Month;
        if (!string.IsNullOrEmpty(year) && !int.TryParse(year, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out y) || y is < 2000 or > 2200)
        {
            return Problem("year", "The year must be a number in [2000, 2200].");
        }
        if (!string.IsNullOrEmpty(month) && !int.TryParse(month, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out m) || m is < 1 or > 12)
        {
            return Problem("month", "The month must be a number in [1, 12].");
        }
        return TypedResults.Ok((await queries.MonthlyAsync(room, y, m, ct)).ToDto());
    }

    public static async Task<Ok<CostVersionsResponse>> CostVersionsAsync(AnalyticsQueries queries, CancellationToken ct) =>
        TypedResults.Ok(new CostVersionsResponse([.. (await queries.CostVersionsAsync(ct)).Select(v => v.ToDto())]));

    public static async Task<Results<Created<CostVersionDto>, ValidationProblem>> CreateCostVersionAsync(
        HttpRequest request, CostVersionStore store, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken ct)
    {
        CreateCostVersionRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<CreateCostVersionRequest>(request.Body, json.Value.SerializerOptions, ct);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            return Problem(field, "The body must be a JSON object with valid field values.");
        }
        if (body is null)
        {
            return Problem("body", "The body must be a JSON object.");
        }
        if (body.CostPerKwh is not { } rate)
        {
            return Problem("cost_per_kwh", "The rate (cost_per_kwh) is required.");
        }
        if (LocalDateTimeOf(body.EffectiveFrom) is not { } effectiveFrom)
        {
            return Problem("effective_from", "effective_from must be a local date-time (yyyy-MM-ddTHH:mm[:ss]) or a local date (yyyy-MM-dd).");
        }
        try
        {
            var created = await store.CreateAsync(new NewCostVersion(rate, effectiveFrom, body.Scope, body.Classroom, body.Device, body.Currency, body.Notes,
                request.HttpContext.User.Identity?.Name ?? "api"), ct);
            bool affects = await store.AffectsAccountedHistoryAsync(created, ct);
            return TypedResults.Created($"{Prefix}/cost-versions", created.ToDto(affects));
        }
        catch (CostVersionValidationException e)
        {
            return Problem(e.Field, e.Message);
        }
    }

    public static Results<PushStreamHttpResult, ValidationProblem> ExportCsv(
        [FromQuery] string? classroom, [FromQuery] string? start, [FromQuery] string? end, AnalyticsQueries queries, CsvExport csv, HttpContext http)
    {
        if (Classroom(classroom, out var room) is { } p1)
        {
            return p1;
        }
        if (Range(start, end, queries.Today(), AnalyticsQueries.MaxRangeDays, out var from, out var to) is { } p2)
        {
            return p2;
        }
        var name = $"autovolt-{ApiMapping.Iso(from)}-{ApiMapping.Iso(to)}.csv";
        return TypedResults.Stream(stream => csv.WriteAsync(stream, room, from, to, http.RequestAborted), "text/csv; charset=utf-8", name);
    }

    public static async Task<Ok<HealthResponse>> HealthAsync(AnalyticsQueries queries, CancellationToken ct) =>
        TypedResults.Ok((await queries.HealthAsync(ct)).ToDto());

    private static ValidationProblem Problem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: $"Invalid {field}");

    private static ValidationProblem? Classroom(string? text, out string? classroom)
    {
        classroom = string.IsNullOrEmpty(text) ? null : text;
        return classroom is { Length: > MaxClassroomLength } ? Problem("classroom", "The classroom is too long.")
            : classroom is not null && classroom.Contains('\0', StringComparison.Ordinal) ? Problem("classroom", "The classroom must not contain NUL characters.")
            : null;
    }

    private static ValidationProblem? Date(string? text, string field, LocalDate fallback, out LocalDate date)
    {
        date = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        var parsed = LocalDatePattern.Iso.Parse(text);
        if (!parsed.Success || parsed.Value.Year is < 2000 or > 2200)
        {
            return Problem(field, $"{field} must be a local date yyyy-MM-dd between 2000 and 2200.");
        }
        date = parsed.Value;
        return null;
    }

    private static ValidationProblem? Range(string? start, string? end, LocalDate today, int maxDays, out LocalDate from, out LocalDate to)
    {
        to = default;
        if (Date(start, "start", today, out from) is { } p1)
        {
            return p1;
        }
        if (Date(end, "end", from, out to) is { } p2)
        {
            return p2;
        }
        if (to < from)
        {
            return Problem("end", "end must not be before start.");
        }
        return Period.Between(from, to, PeriodUnits.Days).Days + 1 > maxDays
            ? Problem("end", $"The range from start to end must not exceed {maxDays} days.")
            : null;
    }

    private static LocalDateTime? LocalDateTimeOf(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        foreach (var pattern in new IPattern<LocalDateTime>[] { LocalDateTimePattern.ExtendedIso, MinutesPattern })
        {
            if (pattern.Parse(text) is { Success: true } r)
            {
                return r.Value;
            }
        }
        return LocalDatePattern.Iso.Parse(text) is { Success: true } d ? d.Value.AtMidnight() : null;
    }
}
