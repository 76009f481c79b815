using AutoVolt.Infrastructure.Analytics;
using AutoVolt.Infrastructure.Auth;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Web.Components.Pages.Dashboard;
using AutoVolt.Web.Components.Pages.Monthly;
using AutoVolt.Web.Tests.Support;
using Bunit;
using Microsoft.Extensions.Options;
using NodaTime;
using static System.Globalization.CultureInfo;

namespace AutoVolt.Web.Tests.Web.Pages;

/// <summary>Dashboard and Monthly against the seeded database (see <see cref="SeededPagesFixture"/>) through the real read side.</summary>
public sealed class ReportPagesTests(SeededPagesFixture data) : IClassFixture<SeededPagesFixture>
{
    private static readonly Instant OctoberNow = Instant.FromUtc(2025, 10, 15, 6, 30);

    private static decimal Attr(AngleSharp.Dom.IElement e, string name) => decimal.Parse(e.GetAttribute(name)!, InvariantCulture);

    [Fact]
    public async Task Dashboard_LowConfidenceToday_CardsShowQueryTotalsAndEstimatedChip()
    {
        await using var ctx = BunitSetup.Create(data.Db, role: Roles.Viewer);
        var cut = ctx.Render<Dashboard>();
        cut.WaitForElement("[data-testid=card-today]");

        // Hand-computed: today 300 + 50 Wh, cost 350 × 8 / 1000 = 2.80; November 350 + 1500 Wh = 1850 Wh, 14.80.
        var today = cut.Find("[data-testid=card-today-energy] .av-energy");
        Assert.Equal(350m, Attr(today, "data-wh"));
        Assert.Equal("0.350 kWh", today.TextContent);
        Assert.Equal(2.8m, Attr(cut.Find("[data-testid=card-today-cost] .av-money"), "data-amount"));
        Assert.Equal(1850m, Attr(cut.Find("[data-testid=card-month-energy] .av-energy"), "data-wh"));
        Assert.Equal("₹14.80", cut.Find("[data-testid=card-month-cost] .av-money").TextContent);

        // The same figures as the query the API uses.
        var queries = new AnalyticsQueries(data.Db, Options.Create(new SiteOptions()), new NodaTime.Testing.FakeClock(BunitSetup.DefaultNow));
        var summary = await queries.SummaryAsync(null, new LocalDate(2025, 11, 20));
        var month = await queries.MonthlyAsync(null, 2025, 11);
        Assert.Equal(summary.EnergyWh, Attr(cut.Find("[data-testid=card-today-energy] .av-energy"), "data-wh"));
        Assert.Equal(summary.Cost, Attr(cut.Find("[data-testid=card-today-cost] .av-money"), "data-amount"));
        Assert.Equal(month.EnergyWh, Attr(cut.Find("[data-testid=card-month-energy] .av-energy"), "data-wh"));
        Assert.Equal(month.Cost, Attr(cut.Find("[data-testid=card-month-cost] .av-money"), "data-amount"));

        // 50 Wh low confidence today and this month → both chips, showing 0.050 kWh.
        Assert.Equal("0.050 kWh", cut.Find("[data-testid=card-today-estimated] .av-energy").TextContent);
        Assert.Equal(50m, Attr(cut.Find("[data-testid=card-month-estimated] .av-energy"), "data-wh"));
        Assert.Contains("2025-11-20", cut.Find("[data-testid=local-date]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_OnlyHighConfidence_NoEstimatedChip()
    {
        await using var ctx = BunitSetup.Create(data.Db, OctoberNow, Roles.Viewer);
        var cut = ctx.Render<Dashboard>();
        cut.WaitForElement("[data-testid=card-today]");

        // 2025-10-15: 1200 Wh; October: 1000 + 1500 + 2000 + 2000.5 + 400 + 1200 = 8100.5 Wh, all high confidence.
        Assert.Equal(1200m, Attr(cut.Find("[data-testid=card-today-energy] .av-energy"), "data-wh"));
        Assert.Equal(8100.5m, Attr(cut.Find("[data-testid=card-month-energy] .av-energy"), "data-wh"));
        Assert.Equal(64.804m, Attr(cut.Find("[data-testid=card-month-cost] .av-money"), "data-amount"));
        Assert.Empty(cut.FindAll("[data-testid=card-today-estimated]"));
        Assert.Empty(cut.FindAll("[data-testid=card-month-estimated]"));
    }

    [Fact]
    public async Task Monthly_October_CellClassesFollowKwhThresholds()
    {
        await using var ctx = BunitSetup.Create(data.Db, OctoberNow, Roles.Viewer);
        var cut = ctx.Render<Monthly>();
        cut.WaitForElement("[data-testid=calendar]");

        Assert.Equal("2025-10", cut.Find("[data-testid=month-label]").TextContent);
        AssertCell(cut, "2025-10-01", "av-cal-zero", 0m);
        AssertCell(cut, "2025-10-02", "av-cal-low", 1000m);   // exactly 1 kWh is still "up to 1"
        AssertCell(cut, "2025-10-06", "av-cal-low", 400m);
        AssertCell(cut, "2025-10-03", "av-cal-mid", 1500m);
        AssertCell(cut, "2025-10-04", "av-cal-mid", 2000m);   // exactly 2 kWh is still 1–2
        AssertCell(cut, "2025-10-05", "av-cal-high", 2000.5m);
        AssertCell(cut, "2025-10-15", "av-cal-mid", 1200m);
        // After today (2025-10-15 in the site zone) a day without energy has not happened yet: a dash, not "0.000".
        var future = cut.Find("[data-date='2025-10-16']");
        Assert.Contains("av-cal-future", future.ClassList);
        Assert.Equal("–", future.QuerySelector(".av-cal-kwh")!.TextContent);
        Assert.Null(future.GetAttribute("data-wh"));
        Assert.Equal(31, cut.FindAll(".av-cal-cell").Count);
        Assert.Empty(cut.FindAll("[data-testid=month-total] .mud-chip"));

        // Next month: November has estimated energy (50 Wh) and its own cells.
        await cut.InvokeAsync(() => cut.Find("#month-next").Click());
        // The label changes before the month's data arrives: wait for the data.
        cut.WaitForAssertion(() => Assert.Equal(30, cut.FindAll(".av-cal-cell").Count));
        Assert.Equal("2025-11", cut.Find("[data-testid=month-label]").TextContent);
        AssertCell(cut, "2025-11-20", "av-cal-low", 350m);
        AssertCell(cut, "2025-11-05", "av-cal-mid", 1500m);
        Assert.Contains("av-cal-future", cut.Find("[data-date='2025-11-01']").ClassList);
        // The chip sits inside the total line (a div, not a p: a chip inside a p is split out of it by the HTML parser).
        Assert.Equal("0.050 kWh", cut.Find("[data-testid=month-total] .mud-chip .av-energy").TextContent);

        // Clicking a day shows its detail.
        await cut.InvokeAsync(() => cut.Find("[data-date='2025-11-05']").Click());
        Assert.Contains("1.500 kWh", cut.Find("[data-testid=day-detail]").TextContent, StringComparison.Ordinal);
        Assert.Contains("₹12.00", cut.Find("[data-testid=day-detail]").TextContent, StringComparison.Ordinal);
    }

    private static void AssertCell(IRenderedComponent<Monthly> cut, string date, string cssClass, decimal wh)
    {
        var cell = cut.Find($"[data-date='{date}']");
        Assert.Contains(cssClass, cell.ClassList);
        Assert.Single(cell.ClassList, c => c.StartsWith("av-cal-", StringComparison.Ordinal) && c != "av-cal-cell");
        Assert.Equal(wh, Attr(cell, "data-wh"));
    }
}
