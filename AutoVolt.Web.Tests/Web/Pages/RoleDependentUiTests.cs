using AutoVolt.Infrastructure.Auth;
using AutoVolt.Web.Components.Pages.CostVersions;
using AutoVolt.Web.Components.Pages.Recalculate;
using AutoVolt.Web.Components.Pages.Reviews;
using AutoVolt.Web.Tests.Support;
using Bunit;

namespace AutoVolt.Web.Tests.Web.Pages;

/// <summary>Controls that change data show only to the roles allowed to use them (admin ⊃ operator ⊃ viewer).</summary>
public sealed class RoleDependentUiTests(SeededPagesFixture data) : IClassFixture<SeededPagesFixture>
{
    [Theory]
    [InlineData(Roles.Viewer, false)]
    [InlineData(Roles.Operator, false)]
    [InlineData(Roles.Admin, true)]
    public async Task CostVersions_Role_CreateFormOnlyForAdmin(string role, bool visible)
    {
        await using var ctx = BunitSetup.Create(data.Db, role: role);
        var cut = ctx.Render<CostVersions>();

        cut.WaitForElement("h1");
        Assert.Equal(visible, cut.FindAll("[data-testid=create-version]").Count == 1);
        Assert.Equal(visible, cut.FindAll("#cv-create").Count == 1);
    }

    [Theory]
    [InlineData(Roles.Viewer, false)]
    [InlineData(Roles.Operator, true)]
    [InlineData(Roles.Admin, true)]
    public async Task Recalculate_Role_ControlsForOperatorAndAdmin(string role, bool visible)
    {
        await using var ctx = BunitSetup.Create(data.Db, role: role);
        var cut = ctx.Render<Recalculate>();

        Assert.Equal(visible, cut.FindAll("#rc-preview").Count == 1);
        Assert.Equal(visible, cut.FindAll("#rc-from").Count == 1);
        Assert.Equal(!visible, cut.Markup.Contains("Recalculation is for operators and administrators", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Recalculate_OperatorPreview_ListsSeededDaysAndRepricingDifference()
    {
        await using var ctx = BunitSetup.Create(data.Db, role: Roles.Operator);
        var cut = ctx.Render<Recalculate>();

        // Default period: the 30 days up to 2025-11-20 → 2025-11-05 (1500 Wh) and 2025-11-20 (350 Wh); no cost versions → new cost 0.
        await cut.InvokeAsync(() => cut.Find("#rc-preview").Click());
        cut.WaitForElement("#rc-difference");
        var table = cut.Find("[data-testid=rc-preview-table]");
        Assert.Contains("2025-11-05", table.TextContent, StringComparison.Ordinal);
        Assert.Contains("1.500 kWh", table.TextContent, StringComparison.Ordinal);
        Assert.Contains("0.350 kWh", table.TextContent, StringComparison.Ordinal);
        // Old cost (8 INR/kWh) 1850 Wh → 14.80; no version exists now → new 0 → −14.80.
        Assert.Equal(-14.8m, decimal.Parse(cut.Find("#rc-difference").GetAttribute("data-amount")!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(Roles.Viewer, false)]
    [InlineData(Roles.Operator, true)]
    [InlineData(Roles.Admin, true)]
    public async Task Reviews_Role_ActionButtonsForOperatorAndAdmin(string role, bool visible)
    {
        await using var ctx = BunitSetup.Create(data.Db, role: role);
        var cut = ctx.Render<Reviews>();

        cut.WaitForElement("[data-testid=tickets-table]");
        Assert.Equal(visible, cut.FindAll($"#rv-accept-{data.HeldTicketId}").Count == 1);
        Assert.Equal(visible, cut.FindAll($"#rv-reject-{data.HeldTicketId}").Count == 1);
        Assert.Equal(visible, cut.FindAll($"#rv-ack-{data.GapTicketId}").Count == 1);
        Assert.Equal(!visible, cut.Find("[data-testid=tickets-table]").TextContent.Contains("operators resolve", StringComparison.Ordinal));
    }
}
