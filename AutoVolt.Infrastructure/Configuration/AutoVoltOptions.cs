using System.ComponentModel.DataAnnotations;
using NodaTime;

namespace AutoVolt.Infrastructure.Configuration;

/// <summary>Section <c>Site</c>.</summary>
public sealed class SiteOptions
{
    public const string Section = "Site";

    /// <summary>IANA zone for local days, months and the nightly schedule.</summary>
    [Required]
    public string TimeZone { get; set; } = AutoVolt.Domain.SiteDefaults.TimeZoneId;

    /// <summary>Default currency of new cost versions (ISO 4217).</summary>
    [RegularExpression("^[A-Z]{3}$")]
    public string Currency { get; set; } = AutoVolt.Domain.SiteDefaults.Currency;

    /// <summary>The configured zone; throws with the bad value named when it is not an IANA id.</summary>
    public DateTimeZone Zone() =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(TimeZone)
        ?? throw new InvalidOperationException($"Site:TimeZone '{TimeZone}' is not an IANA time zone id (e.g. Asia/Kolkata).");
}

/// <summary>Section <c>Ledger</c>.</summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary>Readings received more than this many seconds ago are accounted.</summary>
    [Range(0, 86400)]
    public int SettleSeconds { get; set; } = 120;

    /// <summary>Readings further apart than this are a gap.</summary>
    [Range(1, 1440)]
    public int MaxGapMinutes { get; set; } = 10;

    /// <summary>Seconds between safety-net runs of the ledger job.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 15;
}

/// <summary>Section <c>Mqtt</c>.</summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    /// <summary><c>embedded</c> (in-process broker), or <c>mqtt://host:port</c> / <c>mqtts://host:port</c>.</summary>
    [Required]
    public string Broker { get; set; } = "embedded";

    /// <summary>Port of the embedded broker.</summary>
    [Range(0, 65535)]
    public int ListenPort { get; set; } = 1883;

    /// <summary>Address the embedded broker binds to; anonymous boards are accepted only on loopback.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Require per-board credentials (username = esp32_name, secret from <c>add-board</c>) on the embedded broker even
    /// on loopback; always required when <see cref="ListenAddress"/> is not a loopback address.
    /// </summary>
    public bool RequireBoardCredentials { get; set; }

    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>Shared-subscription group for several instances on an external broker (<c>$share/&lt;group&gt;/…</c>).</summary>
    public string? SharedGroup { get; set; }

    public string ClientId { get; set; } = "autovolt-ingest";

    /// <summary>Whether ingestion runs in this instance.</summary>
    public bool IngestEnabled { get; set; } = true;

    public bool IsEmbedded => string.Equals(Broker, "embedded", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Section <c>Embedded</c>.</summary>
public sealed class EmbeddedOptions
{
    public const string Section = "Embedded";

    /// <summary>Where the embedded PostgreSQL cluster lives; default per user (or /var/lib/autovolt when root).</summary>
    public string? DataDirectory { get; set; }
}

/// <summary>Section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>If set, an admin API key (header X-Api-Key) exists from start-up.</summary>
    public string? BootstrapApiKey { get; set; }

    /// <summary>If set, user <c>admin</c> with this password exists from start-up.</summary>
    public string? BootstrapAdminPassword { get; set; }
}
