using NodaTime;

namespace AutoVolt.Infrastructure.Analytics;

/// <summary>Energy (Wh) per confidence level.</summary>
public sealed record EnergyByConfidence(decimal High, decimal Medium, decimal Low)
{
    public static EnergyByConfidence Zero { get; } = new(0m, 0m, 0m);
}

/// <summary>
/// How far a total can be trusted: <see cref="EstimatedShare"/> = low-confidence energy / energy,
/// <see cref="MediumShare"/> = medium / energy (null when the energy is zero), and the summed flag counts
/// (snake_case names of EntryMarks, e.g. <c>gap</c>, <c>held</c>).
/// </summary>
public sealed record DataQuality(decimal? EstimatedShare, decimal? MediumShare, IReadOnlyDictionary<string, int> FlagCounts);

/// <summary>Day totals of <c>daily_aggregates</c>; <see cref="Devices"/> = device-days with an aggregate row.</summary>
public sealed record DaySummary(
    string? Classroom, LocalDate Date, decimal EnergyWh, decimal Cost, string Currency, decimal OnTimeSec,
    EnergyByConfidence EnergyByConfidence, decimal HeldEnergyWh, int Devices, DataQuality Quality);

/// <summary>
/// One timeline bucket [<see cref="Start"/>, <see cref="End"/>) of local date <see cref="Date"/>;
/// <see cref="LocalStart"/> is the start in the site zone (repeats on a fall-back day, the offset tells them apart).
/// <see cref="EstimatedWh"/> is the low-confidence part of <see cref="EnergyWh"/>.
/// </summary>
public sealed record TimelineBucket(LocalDate Date, Instant Start, Instant End, OffsetDateTime LocalStart, decimal EnergyWh, decimal Cost, decimal EstimatedWh);

/// <summary>Timeline of local dates <see cref="Start"/>..<see cref="End"/> (inclusive).</summary>
public sealed record Timeline(string? Classroom, LocalDate Start, LocalDate End, int BucketMinutes, string Currency, IReadOnlyList<TimelineBucket> Buckets);

/// <summary>
/// One device on one day. <see cref="Share"/> = energy / total energy of the breakdown (null when the total is zero).
/// <see cref="OnlineState"/> is the board's <c>last_status</c> (online/offline/unknown) now.
/// </summary>
public sealed record DeviceUsage(
    string DeviceKey, string Esp32Name, string DeviceId, string Classroom, string? DisplayName,
    decimal EnergyWh, decimal Cost, string Currency, decimal OnTimeSec, decimal? Share,
    EnergyByConfidence EnergyByConfidence, decimal HeldEnergyWh, IReadOnlyDictionary<string, int> FlagCounts,
    string OnlineState, Instant? LastSeenAt);

/// <summary>Every registered device (and any device with an aggregate that day), largest energy first.</summary>
public sealed record DeviceBreakdown(string? Classroom, LocalDate Date, decimal EnergyWh, decimal Cost, string Currency, IReadOnlyList<DeviceUsage> Devices);

/// <summary>Totals of one local day in a month series (zeros when nothing was accounted).</summary>
public sealed record DayTotal(LocalDate Date, decimal EnergyWh, decimal Cost, decimal OnTimeSec, EnergyByConfidence EnergyByConfidence, decimal HeldEnergyWh);

/// <summary>
/// Month totals from <c>monthly_aggregates</c> and the per-day series from <c>daily_aggregates</c> (every day present).
/// <see cref="UnpricedEntries"/>: live ledger rows with energy but no cost version (their cost is missing from <see cref="Cost"/>).
/// </summary>
public sealed record MonthReport(
    string? Classroom, int Year, int Month, decimal EnergyWh, decimal Cost, string Currency, decimal OnTimeSec,
    EnergyByConfidence EnergyByConfidence, decimal HeldEnergyWh, int Devices, IReadOnlyList<DayTotal> Days)
{
    public int UnpricedEntries { get; init; }
}

/// <summary>A <c>cost_versions</c> row.</summary>
public sealed record CostVersionRow(
    long Id, decimal CostPerKwh, string Currency, LocalDateTime EffectiveFrom, Instant EffectiveAt, string Scope,
    string? Classroom, string? DeviceKey, string Notes, Instant CreatedAt, string CreatedBy);

/// <summary>
/// Pipeline health. <see cref="TelemetryEventsUnprocessed"/>: events with an id beyond their device's ledger cursor;
/// <see cref="OldestUnaccountedAge"/>: now − received_at of the oldest of them; <see cref="IngestionLag"/>: now − received_at
/// of the newest event (null when there is none); <see cref="InconsistentDays"/>: device-days of the last
/// <see cref="ConsistencyWindowDays"/> local days (not waiting in dirty_days) whose aggregate differs from the sum of their ledger rows.
/// </summary>
public sealed record PipelineHealth(
    Instant CheckedAt, LocalDate Today, long TelemetryEventsUnprocessed, Duration? OldestUnaccountedAge, long LedgerEntriesToday,
    Instant? LastAggregation, int OnlineDevices, int Devices, Instant? LastEventReceivedAt, Duration? IngestionLag,
    long DirtyDays, int InconsistentDays, int ConsistencyWindowDays);
