using AutoVolt.Infrastructure.Pricing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Web.Tests.Infrastructure.Analytics;

public sealed class CostVersionStoreTests(AnalyticsFixture app) : IClassFixture<AnalyticsFixture>
{
    private CostVersionStore Store => app.Factory.Services.GetRequiredService<CostVersionStore>();

    [Fact]
    public async Task CreateAsync_DeviceScopeInSkippedLocalHour_EffectiveAtAfterGap_AndAffectsHistory()
    {
        var v = await Store.CreateAsync(new NewCostVersion(0.25m, new LocalDateTime(2025, 3, 9, 2, 30), DeviceKey: "ESPA/fan_1", Notes: "dst", CreatedBy: "tester"));

        Assert.Equal(("device", "ESPA/fan_1", (string?)null, "USD", "tester"), (v.Scope, v.DeviceKey, v.Classroom, v.Currency, v.CreatedBy));
        Assert.Equal(InstantPattern.ExtendedIso.Parse("2025-03-09T07:00:00Z").Value, v.EffectiveAt); // 03:00 EDT
        Assert.Equal(0.25m, v.CostPerKwh);
        Assert.True(await Store.AffectsAccountedHistoryAsync(v)); // fan_1 has a row on 2025-11-02
        Assert.Contains(await app.Queries.CostVersionsAsync(), r => r.Id == v.Id);
    }

    [Fact]
    public async Task CreateAsync_ClassroomScopeInTheFuture_DoesNotAffectHistory()
    {
        var local = SystemClock.Instance.GetCurrentInstant().InZone(app.Calendar.Zone).LocalDateTime.PlusDays(30);
        var v = await Store.CreateAsync(new NewCostVersion(9m, local, Classroom: "A-101", Currency: "EUR"));

        Assert.Equal(("classroom", "A-101", "EUR"), (v.Scope, v.Classroom, v.Currency));
        Assert.False(await Store.AffectsAccountedHistoryAsync(v));
    }

    [Theory]
    [InlineData(-1, null, null, null, null, 0, "cost_per_kwh")]
    [InlineData(1_000_000, null, null, null, null, 0, "cost_per_kwh")]
    [InlineData(0.1234567, null, null, null, null, 0, "cost_per_kwh")]
    [InlineData(1, "planet", null, null, null, 0, "scope")]
    [InlineData(1, "device", null, null, null, 0, "device")]
    [InlineData(1, null, null, "ESPA/nope", null, 0, "device")]
    [InlineData(1, null, "Z-999", null, null, 0, "classroom")]
    [InlineData(1, "global", "A-101", null, null, 0, "classroom")]
    [InlineData(1, null, null, null, "usd", 0, "currency")]
    [InlineData(1, null, null, null, null, 400, "effective_from")]
    public async Task CreateAsync_InvalidField_ThrowsNamingTheField(double rate, string? scope, string? classroom, string? device, string? currency, int daysAhead, string field)
    {
        var local = daysAhead == 0 ? new LocalDateTime(2025, 6, 1, 0, 0)
            : SystemClock.Instance.GetCurrentInstant().InZone(app.Calendar.Zone).LocalDateTime.PlusDays(daysAhead);
        var e = await Assert.ThrowsAsync<CostVersionValidationException>(() =>
            Store.CreateAsync(new NewCostVersion((decimal)rate, local, scope, classroom, device, currency)));
        Assert.Equal(field, e.Field);
    }
}
