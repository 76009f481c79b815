using System.Text.RegularExpressions;
using AutoVolt.Domain.Pricing;
using AutoVolt.Infrastructure.Analytics;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using Dapper;
using Microsoft.Extensions.Options;
using NodaTime;

namespace AutoVolt.Infrastructure.Pricing;

/// <summary>A request to create a cost version; <see cref="Scope"/> null = derived (device → device, classroom → classroom, else global).</summary>
public sealed record NewCostVersion(
    decimal CostPerKwh, LocalDateTime EffectiveFrom, string? Scope = null, string? Classroom = null, string? DeviceKey = null,
    string? Currency = null, string? Notes = null, string CreatedBy = "system");

/// <summary>The request is invalid; <see cref="Field"/> names the field at fault (snake_case, as in the API).</summary>
public sealed class CostVersionValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Creates cost versions (validated; rows are immutable) and tells whether a version reaches into accounted history.</summary>
public sealed partial class CostVersionStore(AutoVoltDatabase db, IOptions<SiteOptions> site, IClock clock)
{
    /// <summary>Exclusive upper bound of a rate per kWh.</summary>
    public const decimal MaxRate = 1_000_000m;

    /// <summary>How far in the future a version may take effect.</summary>
    public static readonly Period MaxFuture = Period.FromYears(1);

    /// <summary>Longest notes text.</summary>
    public const int MaxNotesLength = 2000;

    private readonly DateTimeZone _zone = site.Value.Zone();
    private readonly string _currency = site.Value.Currency;

    /// <summary>Validates and inserts a version; returns the stored row.</summary>
    /// <exception cref="CostVersionValidationException">A field is invalid (the field is named).</exception>
    public async Task<CostVersionRow> CreateAsync(NewCostVersion request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (field, text) in new[] { ("scope", request.Scope), ("classroom", request.Classroom), ("device", request.DeviceKey),
                     ("currency", request.Currency), ("notes", request.Notes) })
        {
            if (text is not null && (text.Contains('\0', StringComparison.Ordinal) || text.Length > MaxNotesLength))
            {
                throw new CostVersionValidationException(field, "The value is too long or contains NUL characters.");
            }
        }
        if (request.CostPerKwh < 0m)
        {
            throw new CostVersionValidationException("cost_per_kwh", "The rate must not be negative.");
        }
        if (request.CostPerKwh >= MaxRate || decimal.Round(request.CostPerKwh, 6) != request.CostPerKwh)
        {
            throw new CostVersionValidationException("cost_per_kwh", "The rate must be below 1000000 with at most 6 decimals.");
        }
        var currency = string.IsNullOrWhiteSpace(request.Currency) ? _currency : request.Currency.Trim();
        if (!CurrencyPattern().IsMatch(currency))
        {
            throw new CostVersionValidationException("currency", "The currency must be three upper-case letters (ISO 4217).");
        }
        var classroom = string.IsNullOrWhiteSpace(request.Classroom) ? null : request.Classroom.Trim();
        var deviceKey = string.IsNullOrWhiteSpace(request.DeviceKey) ? null : request.DeviceKey.Trim();
        var scopeText = string.IsNullOrWhiteSpace(request.Scope)
            ? deviceKey is not null ? "device" : classroom is not null ? "classroom" : "global"
            : request.Scope.Trim().ToLowerInvariant();
        var scope = scopeText switch
        {
            "global" => CostScope.Global,
            "classroom" => CostScope.Classroom,
            "device" => CostScope.Device,
            _ => throw new CostVersionValidationException("scope", "The scope must be global, classroom or device."),
        };
        switch (scope)
        {
            case CostScope.Global when classroom is not null || deviceKey is not null:
                throw new CostVersionValidationException(classroom is not null ? "classroom" : "device", "A global version names no classroom or device.");
            case CostScope.Classroom when classroom is null:
                throw new CostVersionValidationException("classroom", "A classroom version needs a classroom.");
            case CostScope.Classroom when deviceKey is not null:
                throw new CostVersionValidationException("device", "A classroom version names no device.");
            case CostScope.Device when deviceKey is null:
                throw new CostVersionValidationException("device", "A device version needs a device key (esp32_name/device_id).");
            case CostScope.Device when classroom is not null:
                throw new CostVersionValidationException("classroom", "A device version names no classroom.");
            default:
                break;
        }
        var notes = request.Notes ?? "";
        if (notes.Length > MaxNotesLength)
        {
            throw new CostVersionValidationException("notes", "The notes are too long (at most 2000 characters).");
        }
        var now = clock.GetCurrentInstant();
        var localNow = now.InZone(_zone).LocalDateTime;
        if (request.EffectiveFrom > localNow.Plus(MaxFuture))
        {
            throw new CostVersionValidationException("effective_from", "The effective date must be at most one year in the future.");
        }
        if (request.EffectiveFrom.Year < 2000)
        {
            throw new CostVersionValidationException("effective_from", "The effective date must be in 2000 or later.");
        }
        var effectiveAt = CostVersion.ToEffectiveInstant(request.EffectiveFrom, _zone);

        await using var conn = await db.OpenAsync(ct);
        if (classroom is not null && !await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM devices WHERE classroom = @classroom) OR EXISTS (SELECT 1 FROM boards WHERE classroom = @classroom)",
                new { classroom }, cancellationToken: ct)))
        {
            throw new CostVersionValidationException("classroom", "No device or board is in this classroom.");
        }
        if (deviceKey is not null && !await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM devices WHERE device_key = @deviceKey)", new { deviceKey }, cancellationToken: ct)))
        {
            throw new CostVersionValidationException("device", "No such device.");
        }
        const string sql = """
            INSERT INTO cost_versions (cost_per_kwh, currency, effective_from, effective_at, scope, classroom, device_key, notes, created_at, created_by)
            VALUES (@rate, @currency, @effectiveFrom, @effectiveAt, @scope, @classroom, @deviceKey, @notes, @now, @createdBy)
            RETURNING id, cost_per_kwh, currency, effective_from, effective_at, scope, classroom, device_key, notes, created_at, created_by
            """;
        return await conn.QuerySingleAsync<CostVersionRow>(new CommandDefinition(sql, new
        {
            rate = request.CostPerKwh,
            currency,
            effectiveFrom = request.EffectiveFrom,
            effectiveAt,
            scope = scopeText,
            classroom,
            deviceKey,
            notes,
            now,
            createdBy = string.IsNullOrWhiteSpace(request.CreatedBy) ? "system" : request.CreatedBy,
        }, cancellationToken: ct));
    }

    /// <summary>
    /// True when ledger rows in the version's scope end after its effective instant, i.e. the version changes
    /// accounted history and the UI should offer a recalculation from <see cref="CostVersionRow.EffectiveAt"/>.
    /// </summary>
    public async Task<bool> AffectsAccountedHistoryAsync(CostVersionRow version, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        const string sql = """
            SELECT EXISTS (SELECT 1 FROM ledger_entries le
                WHERE le.period_end > @effectiveAt AND le.kind = 'posting'
                  -- A row never spans a local midnight, so it starts at most 25 h before it ends, and its local date is
                  -- within a day of the UTC date of its start: this bound only lets the index skip older days.
                  AND le.local_date >= (@effectiveAt AT TIME ZONE 'UTC')::date - 3
                  AND (@scope = 'global'
                       OR (@scope = 'classroom' AND le.device_key IN (SELECT device_key FROM devices WHERE classroom = @classroom))
                       OR (@scope = 'device' AND le.device_key = @deviceKey)))
            """;
        await using var conn = await db.OpenAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(sql,
            new { effectiveAt = version.EffectiveAt, scope = version.Scope, classroom = version.Classroom, deviceKey = version.DeviceKey }, cancellationToken: ct));
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}
