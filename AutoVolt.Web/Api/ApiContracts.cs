using AutoVolt.Infrastructure.Analytics;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Web.Api;

// Wire shapes of /api/power-analytics (snake_case through the HTTP JSON options). Dates are ISO strings:
// local dates "yyyy-MM-dd", instants ISO-8601 with Z, local times with their UTC offset.

public sealed record EnergyByConfidenceDto(decimal High, decimal Medium, decimal Low);

public sealed record QualityDto(decimal? EstimatedShare, decimal? MediumShare, IReadOnlyDictionary<string, int> FlagCounts);

public sealed record SummaryResponse(
    string? Classroom, string Date, decimal EnergyWh, decimal Cost, string Currency, decimal OnTimeSec,
    EnergyByConfidenceDto EnergyByConfidence, decimal HeldEnergyWh, int Devices, QualityDto Quality);

public sealed record BucketDto(string Date, string Start, string End, string LocalStart, decimal EnergyWh, decimal Cost, decimal EstimatedWh);

public sealed record TimelineResponse(string? Classroom, string Start, string End, int BucketMinutes, string Currency, IReadOnlyList<BucketDto> Buckets);

public sealed record DeviceDto(
    string DeviceKey, string Esp32Name, string DeviceId, string Classroom, string? DisplayName, decimal EnergyWh, decimal Cost, string Currency,
    decimal OnTimeSec, decimal? Share, EnergyByConfidenceDto EnergyByConfidence, decimal HeldEnergyWh, IReadOnlyDictionary<string, int> FlagCounts,
    string OnlineState, string? LastSeenAt);

public sealed record DeviceBreakdownResponse(string? Classroom, string Date, decimal EnergyWh, decimal Cost, string Currency, IReadOnlyList<DeviceDto> Devices);

public sealed record DayDto(string Date, decimal EnergyWh, decimal Cost, decimal OnTimeSec, EnergyByConfidenceDto EnergyByConfidence, decimal HeldEnergyWh);

public sealed record MonthlyResponse(
    string? Classroom, int Year, int Month, decimal EnergyWh, decimal Cost, string Currency, decimal OnTimeSec,
    EnergyByConfidenceDto EnergyByConfidence, decimal HeldEnergyWh, int Devices, IReadOnlyList<DayDto> Days);

/// <summary>A cost version; <c>affects_accounted_history</c> is set only in the answer to a POST.</summary>
public sealed record CostVersionDto(
    long Id, decimal CostPerKwh, string Currency, string EffectiveFrom, string EffectiveAt, string Scope, string? Classroom, string? DeviceKey,
    string Notes, string CreatedAt, string CreatedBy, bool? AffectsAccountedHistory = null);

public sealed record CostVersionsResponse(IReadOnlyList<CostVersionDto> Versions);

/// <summary>
/// Body of POST /cost-versions. <c>effective_from</c> is a local date-time of the site zone ("yyyy-MM-ddTHH:mm[:ss]") or a
/// local date ("yyyy-MM-dd" = its midnight); <c>scope</c> defaults from the fields given; <c>device</c> is a device key.
/// </summary>
public sealed record CreateCostVersionRequest(
    decimal? CostPerKwh, string? EffectiveFrom, string? Scope, string? Classroom, string? Device, string? Currency, string? Notes);

public sealed record HealthResponse(
    string CheckedAt, string Today, long TelemetryEventsUnprocessed, double? OldestUnaccountedAgeSec, long LedgerEntriesToday,
    string? LastAggregation, int OnlineDevices, int Devices, string? LastEventReceivedAt, double? IngestionLagSec,
    long DirtyDays, int InconsistentDays, int ConsistencyWindowDays);

internal static class ApiMapping
{
    public static string Iso(LocalDate d) => LocalDatePattern.Iso.Format(d);

    public static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    public static string? Iso(Instant? i) => i is { } v ? Iso(v) : null;

    public static EnergyByConfidenceDto ToDto(this EnergyByConfidence e) => new(e.High, e.Medium, e.Low);

    public static SummaryResponse ToDto(this DaySummary s) => new(s.Classroom, Iso(s.Date), s.EnergyWh, s.Cost, s.Currency, s.OnTimeSec,
        s.EnergyByConfidence.ToDto(), s.HeldEnergyWh, s.Devices, new QualityDto(s.Quality.EstimatedShare, s.Quality.MediumShare, s.Quality.FlagCounts));

    public static TimelineResponse ToDto(this Timeline t) => new(t.Classroom, Iso(t.Start), Iso(t.End), t.BucketMinutes, t.Currency,
        [.. t.Buckets.Select(b => new BucketDto(Iso(b.Date), Iso(b.Start), Iso(b.End), OffsetDateTimePattern.Rfc3339.Format(b.LocalStart),
            b.EnergyWh, b.Cost, b.EstimatedWh))]);

    public static DeviceBreakdownResponse ToDto(this DeviceBreakdown b) => new(b.Classroom, Iso(b.Date), b.EnergyWh, b.Cost, b.Currency,
        [.. b.Devices.Select(d => new DeviceDto(d.DeviceKey, d.Esp32Name, d.DeviceId, d.Classroom, d.DisplayName, d.EnergyWh, d.Cost, d.Currency,
            d.OnTimeSec, d.Share, d.EnergyByConfidence.ToDto(), d.HeldEnergyWh, d.FlagCounts, d.OnlineState, Iso(d.LastSeenAt)))]);

    public static MonthlyResponse ToDto(this MonthReport m) => new(m.Classroom, m.Year, m.Month, m.EnergyWh, m.Cost, m.Currency, m.OnTimeSec,
        m.EnergyByConfidence.ToDto(), m.HeldEnergyWh, m.Devices,
        [.. m.Days.Select(d => new DayDto(Iso(d.Date), d.EnergyWh, d.Cost, d.OnTimeSec, d.EnergyByConfidence.ToDto(), d.HeldEnergyWh))]);

    public static CostVersionDto ToDto(this CostVersionRow v, bool? affectsHistory = null) => new(v.Id, v.CostPerKwh, v.Currency,
        LocalDateTimePattern.ExtendedIso.Format(v.EffectiveFrom), Iso(v.EffectiveAt), v.Scope, v.Classroom, v.DeviceKey, v.Notes,
        Iso(v.CreatedAt), v.CreatedBy, affectsHistory);

    public static HealthResponse ToDto(this PipelineHealth h) => new(Iso(h.CheckedAt), Iso(h.Today), h.TelemetryEventsUnprocessed,
        h.OldestUnaccountedAge?.TotalSeconds, h.LedgerEntriesToday, Iso(h.LastAggregation), h.OnlineDevices, h.Devices, Iso(h.LastEventReceivedAt),
        h.IngestionLag?.TotalSeconds, h.DirtyDays, h.InconsistentDays, h.ConsistencyWindowDays);
}
