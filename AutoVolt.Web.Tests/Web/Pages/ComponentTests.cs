using AutoVolt.Web.Components.Common;
using AutoVolt.Web.Tests.Support;
using Bunit;

namespace AutoVolt.Web.Tests.Web.Pages;

/// <summary>Shared display components with in-memory inputs.</summary>
public sealed class ComponentTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = BunitSetup.Create();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Theory]
    [InlineData("0", false)]
    [InlineData("0.000001", true)]
    [InlineData("250", true)]
    public void StatCard_EstimatedWh_LabelShownExactlyWhenPositive(string estimatedText, bool shown)
    {
        var estimated = decimal.Parse(estimatedText, System.Globalization.CultureInfo.InvariantCulture);
        var cut = _ctx.Render<StatCard>(p => p.Add(c => c.Title, "Today").Add(c => c.TestId, "card").Add(c => c.EnergyWh, 1250m)
            .Add(c => c.Cost, 10m).Add(c => c.EstimatedWh, estimated));

        var chips = cut.FindAll("[data-testid=card-estimated]");
        Assert.Equal(shown, chips.Count == 1);
        if (shown)
        {
            Assert.Contains("estimated", chips[0].TextContent, StringComparison.Ordinal);
            Assert.Equal(estimatedText, chips[0].QuerySelector(".av-energy")!.GetAttribute("data-wh"));
        }
        Assert.Equal("1.250 kWh", cut.Find("[data-testid=card-energy] .av-energy").TextContent);
        Assert.Equal("₹10.00", cut.Find("[data-testid=card-cost] .av-money").TextContent);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(7, true)]
    public void StatCard_UnpricedEntries_CostIncompleteLabelShownExactlyWhenPositive(int unpriced, bool shown)
    {
        var cut = _ctx.Render<StatCard>(p => p.Add(c => c.Title, "Today").Add(c => c.TestId, "card").Add(c => c.EnergyWh, 1250m)
            .Add(c => c.Cost, 0m).Add(c => c.UnpricedEntries, unpriced));

        var chips = cut.FindAll("[data-testid=card-unpriced]");
        Assert.Equal(shown, chips.Count == 1);
        if (shown)
        {
            Assert.Contains("no rate", chips[0].TextContent, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("0", "0.000 kWh")]
    [InlineData("999.4", "0.999 kWh")]
    [InlineData("1234.5678", "1.235 kWh")]
    [InlineData("1234567.8", "1,234.568 kWh")]
    [InlineData("-20", "-0.020 kWh")]
    public void EnergyValue_Wh_ShownInKwhWithThreeDecimals(string whText, string expected)
    {
        var wh = decimal.Parse(whText, System.Globalization.CultureInfo.InvariantCulture);
        var cut = _ctx.Render<EnergyValue>(p => p.Add(c => c.Wh, wh));

        var span = cut.Find(".av-energy");
        Assert.Equal(expected, span.TextContent);
        Assert.EndsWith(" kWh", span.TextContent, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\bkW\b", span.TextContent);
        Assert.Equal(whText, span.GetAttribute("data-wh"));
    }

    [Theory]
    [InlineData("1234.5", "INR", "₹1,234.50")]
    [InlineData("0.125", "INR", "₹0.13")]
    [InlineData("7", "USD", "USD 7.00")]
    [InlineData("-0.5", "INR", "₹-0.50")]
    public void MoneyValue_Amount_ShownWithCurrencyAndTwoDecimals(string amountText, string currency, string expected)
    {
        var amount = decimal.Parse(amountText, System.Globalization.CultureInfo.InvariantCulture);
        var cut = _ctx.Render<MoneyValue>(p => p.Add(c => c.Amount, amount).Add(c => c.Currency, currency));

        Assert.Equal(expected, cut.Find(".av-money").TextContent);
        Assert.Equal(amountText, cut.Find(".av-money").GetAttribute("data-amount"));
    }
}
