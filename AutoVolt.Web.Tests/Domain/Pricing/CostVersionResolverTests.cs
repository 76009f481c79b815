using AutoVolt.Domain.Pricing;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Pricing;

public sealed class CostVersionResolverTests
{
    private static readonly DateTimeZone Kolkata = DateTimeZoneProviders.Tzdb["Asia/Kolkata"];
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly Instant Created = Instant.FromUtc(2025, 1, 1, 0, 0);

    private static CostVersion Version(long id, decimal rate, LocalDateTime from, CostScope scope = CostScope.Global, string? target = null, Instant? created = null) =>
        new(id, rate, "INR", from, scope,
            scope == CostScope.Classroom ? target : null,
            scope == CostScope.Device ? target : null,
            created ?? Created);

    private static readonly LocalDateTime Jan1 = new(2025, 1, 1, 0, 0);

    [Fact]
    public void Resolve_ScopePrecedence_DeviceOverClassroomOverGlobal()
    {
        var resolver = new CostVersionResolver(
        [
            Version(1, 8m, Jan1),
            Version(2, 9m, Jan1, CostScope.Classroom, "CR-101"),
            Version(3, 12m, Jan1, CostScope.Device, "ESP01/light_1"),
        ], Kolkata);
        var t = Instant.FromUtc(2025, 6, 1, 0, 0);

        Assert.Equal(3, resolver.Resolve(t, "CR-101", "ESP01/light_1")!.Id);
        Assert.Equal(2, resolver.Resolve(t, "CR-101", "ESP01/light_2")!.Id);
        Assert.Equal(1, resolver.Resolve(t, "CR-102", "ESP02/light_1")!.Id);
        Assert.Equal(1, resolver.Resolve(t, null, "ESP02/light_1")!.Id);
    }

    [Fact]
    public void Resolve_SpecificScopeNotYetInEffect_FallsBackToBroaderScope()
    {
        var resolver = new CostVersionResolver(
        [
            Version(1, 8m, Jan1),
            Version(2, 12m, new LocalDateTime(2025, 7, 1, 0, 0), CostScope.Device, "ESP01/light_1"),
            Version(3, 10m, new LocalDateTime(2025, 8, 1, 0, 0)),
        ], Kolkata);

        Assert.Equal(1, resolver.Resolve(Instant.FromUtc(2025, 6, 1, 0, 0), "CR-101", "ESP01/light_1")!.Id);
        Assert.Equal(2, resolver.Resolve(Instant.FromUtc(2025, 9, 1, 0, 0), "CR-101", "ESP01/light_1")!.Id); // later global does not override
        Assert.Equal(3, resolver.Resolve(Instant.FromUtc(2025, 9, 1, 0, 0), "CR-101", "ESP01/light_2")!.Id);
    }

    [Fact]
    public void Resolve_EffectiveFromIsInclusiveLocalTime()
    {
        var resolver = new CostVersionResolver([Version(1, 8m, Jan1), Version(2, 10m, new LocalDateTime(2025, 11, 5, 12, 0))], Kolkata);
        var effective = Instant.FromUtc(2025, 11, 5, 6, 30); // 12:00 IST

        Assert.Equal(1, resolver.Resolve(effective - Duration.Epsilon, null, "d")!.Id);
        Assert.Equal(2, resolver.Resolve(effective, null, "d")!.Id);
    }

    [Fact]
    public void Resolve_EqualEffective_LaterCreatedThenHigherIdWins()
    {
        var t = Instant.FromUtc(2025, 6, 1, 0, 0);
        var later = Created + Duration.FromDays(1);

        var byCreated = new CostVersionResolver([Version(7, 8m, Jan1, created: later), Version(9, 9m, Jan1)], Kolkata);
        var byId = new CostVersionResolver([Version(9, 9m, Jan1), Version(7, 8m, Jan1)], Kolkata);

        Assert.Equal(7, byCreated.Resolve(t, null, "d")!.Id);
        Assert.Equal(9, byId.Resolve(t, null, "d")!.Id);
    }

    [Fact]
    public void Resolve_NoVersion_ReturnsNull()
    {
        var resolver = new CostVersionResolver([Version(1, 8m, new LocalDateTime(2026, 1, 1, 0, 0))], Kolkata);

        Assert.Null(resolver.Resolve(Instant.FromUtc(2025, 6, 1, 0, 0), null, "d"));
        Assert.Null(new CostVersionResolver([], Kolkata).Resolve(Instant.FromUtc(2025, 6, 1, 0, 0), null, "d"));
    }

    [Fact]
    public void Boundaries_OnlyWhereTheApplicableVersionChanges()
    {
        var resolver = new CostVersionResolver(
        [
            Version(1, 8m, Jan1),
            Version(2, 12m, new LocalDateTime(2025, 11, 5, 10, 0), CostScope.Device, "ESP01/light_1"),
            Version(3, 10m, new LocalDateTime(2025, 11, 5, 14, 0)),                       // hidden by the device version
            Version(4, 11m, new LocalDateTime(2025, 11, 5, 16, 0), CostScope.Classroom, "CR-102"), // other classroom
        ], Kolkata);
        var day = new Interval(Instant.FromUtc(2025, 11, 4, 18, 30), Instant.FromUtc(2025, 11, 5, 18, 30));

        Assert.Equal([Instant.FromUtc(2025, 11, 5, 4, 30)], resolver.Boundaries(day, "CR-101", "ESP01/light_1"));
        Assert.Equal([Instant.FromUtc(2025, 11, 5, 8, 30)], resolver.Boundaries(day, "CR-101", "ESP01/light_2"));
        Assert.Equal([Instant.FromUtc(2025, 11, 5, 8, 30), Instant.FromUtc(2025, 11, 5, 10, 30)], resolver.Boundaries(day, "CR-102", "ESP02/fan_1"));
    }

    [Fact]
    public void EffectiveAt_SkippedLocalTime_TakesEffectAtEndOfGap()
    {
        // 2025-03-09 02:30 does not exist in New York: clocks jump from 02:00 EST to 03:00 EDT (07:00Z)
        var v = Version(1, 8m, new LocalDateTime(2025, 3, 9, 2, 30));

        Assert.Equal(Instant.FromUtc(2025, 3, 9, 7, 0), v.EffectiveAt(NewYork));
    }

    [Fact]
    public void EffectiveAt_AmbiguousLocalTime_TakesEarlierInstant()
    {
        // 2025-11-02 01:30 happens twice in New York: 05:30Z (EDT) and 06:30Z (EST)
        var v = Version(1, 8m, new LocalDateTime(2025, 11, 2, 1, 30));

        Assert.Equal(Instant.FromUtc(2025, 11, 2, 5, 30), v.EffectiveAt(NewYork));
    }

    [Fact]
    public void Constructor_InvalidValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CostVersion(1, -1m, "INR", Jan1, CostScope.Global, null, null, Created));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CostVersion(1, 1.0000001m, "INR", Jan1, CostScope.Global, null, null, Created));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CostVersion(1, 1m, "inr", Jan1, CostScope.Global, null, null, Created));
        Assert.Throws<ArgumentException>(() => new CostVersion(1, 1m, "INR", Jan1, CostScope.Device, "CR-101", null, Created));
        Assert.Throws<ArgumentException>(() => new CostVersion(1, 1m, "INR", Jan1, CostScope.Global, "CR-101", null, Created));
    }
}
