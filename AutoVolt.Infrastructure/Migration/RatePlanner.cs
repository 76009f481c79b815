using System.Globalization;
using AutoVolt.Domain.Time;
using NodaTime;

namespace AutoVolt.Infrastructure.Migration;

/// <summary>
/// The old rate(s) with their real effective dates. Evidence per site day: every EnergyConsumption
/// <c>electricityRate</c> and every tracker OFF row's <c>context.cost / context.energyKwh</c> (rounded to 2 decimals);
/// the day's rate is the most frequent one (ties: the lower). A version starts at the first migrated day and at
/// every day whose rate differs from the previous evidenced day. Without evidence: the power-settings price, else
/// 7.0 (the old <c>getRateForDate</c> fallback). <c>--rate</c> options replace the detection.
/// </summary>
public static class RatePlanner
{
    /// <summary>The old CostVersion fallback rate, INR/kWh.</summary>
    public const decimal FallbackRate = 7.0m;

    public static IReadOnlyList<PlannedRate> Plan(IReadOnlyList<LegacyEnergyDay> days, IReadOnlyList<LegacyActivity> rows,
        LegacyPowerSettings settings, IReadOnlyList<PlannedRate> explicitRates, LocalDate? firstDay, SiteCalendar calendar)
    {
        if (explicitRates.Count > 0)
        {
            return explicitRates.OrderBy(r => r.From).ToList();
        }
        var votes = new SortedDictionary<LocalDate, Dictionary<decimal, int>>();
        void Vote(LocalDate date, decimal rate)
        {
            if (!votes.TryGetValue(date, out var v))
            {
                votes[date] = v = [];
            }
            rate = Math.Round(rate, 2, MidpointRounding.AwayFromZero);
            v[rate] = v.GetValueOrDefault(rate) + 1;
        }
        foreach (var d in days.Where(d => d.Rate is > 0m))
        {
            Vote(d.Date, d.Rate!.Value);
        }
        foreach (var r in rows.Where(r => r.IsTrackerOff && r.EnergyKwh is > 0m && r.Cost is > 0m))
        {
            Vote(calendar.DateOf(r.Timestamp), r.Cost!.Value / r.EnergyKwh!.Value);
        }
        var plan = new List<PlannedRate>();
        foreach (var (date, v) in votes)
        {
            var rate = v.OrderByDescending(p => p.Value).ThenBy(p => p.Key).First().Key;
            if (plan.Count == 0 || plan[^1].CostPerKwh != rate)
            {
                plan.Add(new PlannedRate(date, rate, string.Create(CultureInfo.InvariantCulture, $"data from {date:yyyy-MM-dd}")));
            }
        }
        if (plan.Count == 0)
        {
            var rate = settings.PricePerKwh is > 0m ? settings.PricePerKwh.Value : FallbackRate;
            var evidence = settings.PricePerKwh is > 0m ? "power-settings electricityPrice" : "no rate in the data: old fallback 7.0";
            return firstDay is { } f ? [new PlannedRate(f, rate, evidence)] : [];
        }
        if (firstDay is { } first && first < plan[0].From)
        {
            plan[0] = plan[0] with { From = first };
        }
        return plan;
    }
}
