namespace AutoVolt.Domain;

/// <summary>Defaults of the accounting rules (DESIGN.md section 3 and 7).</summary>
public static class SiteDefaults
{
    /// <summary>IANA id of the default site time zone.</summary>
    public const string TimeZoneId = "Asia/Kolkata";

    /// <summary>Default currency (ISO 4217).</summary>
    public const string Currency = "INR";
}
