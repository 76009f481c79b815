using NodaTime;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>Where the rated watts of an interval came from, in order of preference.</summary>
public enum WattsSource
{
    /// <summary><c>powerConsumption</c> recorded on the interval's ON (else OFF) ActivityLog rows.</summary>
    Row,
    /// <summary>The switch's <c>powerRating</c> in the Device export.</summary>
    PowerRating,
    /// <summary>The power-settings table by switch type (<c>--power-settings</c>).</summary>
    PowerSettings,
    /// <summary>The old PowerSettings defaults by type (light 40, fan 75, projector 200, ac 1500, outlet 100, other 50).</summary>
    TypeDefault,
}

/// <summary>How an interval was closed.</summary>
public enum CloseRule
{
    /// <summary>By an OFF event of the switch.</summary>
    OffRow,
    /// <summary>Missing OFF: by the switch's next ON event, on the same site day.</summary>
    NextEvent,
    /// <summary>Missing OFF: at the end of the ON's site day (the next event was later, or none).</summary>
    EndOfDay,
}

/// <summary>One re-derived ON interval of one switch, with the rated watts of the time.</summary>
public sealed record LegacySession(
    DeviceMapping Device, Instant On, Instant Off, decimal Watts, WattsSource Source, CloseRule Close,
    IReadOnlyList<string> OnRowIds, IReadOnlyList<string> OffRowIds, bool TrackerRecorded, decimal TrackerWh)
{
    /// <summary>ActivityLog rows merged into this interval.</summary>
    public int Rows => OnRowIds.Count + OffRowIds.Count;

    public static string Text(WattsSource source) => source switch
    {
        WattsSource.Row => "row",
        WattsSource.PowerRating => "power_rating",
        WattsSource.PowerSettings => "power_settings",
        _ => "type_default",
    };

    public static string Text(CloseRule rule) => rule switch
    {
        CloseRule.OffRow => "off_row",
        CloseRule.NextEvent => "next_event",
        _ => "end_of_day",
    };
}
