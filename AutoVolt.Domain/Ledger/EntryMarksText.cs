using System.Text;

namespace AutoVolt.Domain.Ledger;

/// <summary>snake_case names of <see cref="EntryMarks"/> for JSON and CSV.</summary>
public static class EntryMarksText
{
    private static readonly (EntryMarks Mark, string Name)[] Names =
    [
        (EntryMarks.Reboot, "reboot"), (EntryMarks.Reset, "reset"), (EntryMarks.Gap, "gap"),
        (EntryMarks.Offline, "offline"), (EntryMarks.EnergyWhileOff, "energy_while_off"),
        (EntryMarks.Held, "held"), (EntryMarks.ClockInvalid, "clock_invalid"),
        (EntryMarks.LateDelivery, "late_delivery"), (EntryMarks.NoSwitchMapping, "no_switch_mapping"),
        (EntryMarks.CounterWrap, "counter_wrap"), (EntryMarks.Estimated, "estimated"),
        (EntryMarks.Migrated, "migrated"), (EntryMarks.Accepted, "accepted"), (EntryMarks.Late, "late"),
        (EntryMarks.OutOfOrder, "out_of_order"), (EntryMarks.Unpriced, "unpriced"),
    ];

    /// <summary>Every individual mark with its snake_case name, in bit order.</summary>
    public static IReadOnlyList<(EntryMarks Mark, string Name)> All => Names;

    /// <summary>Space-separated snake_case names of the set marks; empty for <see cref="EntryMarks.None"/>.</summary>
    public static string Format(EntryMarks marks)
    {
        var sb = new StringBuilder();
        foreach (var (mark, name) in Names)
        {
            if ((marks & mark) != 0)
            {
                if (sb.Length > 0)
                {
                    sb.Append(' ');
                }
                sb.Append(name);
            }
        }
        return sb.ToString();
    }

    /// <summary>snake_case name of one confidence level.</summary>
    public static string Format(Confidence confidence) => confidence switch
    {
        Confidence.High => "high",
        Confidence.Medium => "medium",
        _ => "low",
    };
}
