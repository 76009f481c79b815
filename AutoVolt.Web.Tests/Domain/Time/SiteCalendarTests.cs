using AutoVolt.Domain.Time;
using NodaTime;
using NodaTime.Testing.TimeZones;

namespace AutoVolt.Web.Tests.Domain.Time;

public sealed class SiteCalendarTests
{
    private static readonly SiteCalendar NewYork = SiteCalendar.ForZoneId("America/New_York");
    private static readonly SiteCalendar Kolkata = SiteCalendar.ForZoneId("Asia/Kolkata");

    [Fact]
    public void DayInterval_NewYorkSpringForward_Is23Hours()
    {
        var day = NewYork.DayInterval(new LocalDate(2025, 3, 9));

        Assert.Equal(Instant.FromUtc(2025, 3, 9, 5, 0), day.Start);   // 00:00 EST
        Assert.Equal(Instant.FromUtc(2025, 3, 10, 4, 0), day.End);    // 00:00 EDT
        Assert.Equal(Duration.FromHours(23), day.Duration);
    }

    [Fact]
    public void DayInterval_NewYorkFallBack_Is25Hours()
    {
        var day = NewYork.DayInterval(new LocalDate(2025, 11, 2));

        Assert.Equal(Instant.FromUtc(2025, 11, 2, 4, 0), day.Start);
        Assert.Equal(Instant.FromUtc(2025, 11, 3, 5, 0), day.End);
        Assert.Equal(Duration.FromHours(25), day.Duration);
    }

    [Fact]
    public void DayInterval_Kolkata_StartsAt1830UtcOfPreviousDay()
    {
        var day = Kolkata.DayInterval(new LocalDate(2025, 11, 5));

        Assert.Equal(Instant.FromUtc(2025, 11, 4, 18, 30), day.Start);
        Assert.Equal(Duration.FromHours(24), day.Duration);
    }

    [Fact]
    public void DateOf_InstantsAroundKolkataMidnight_GiveLocalDates()
    {
        Assert.Equal(new LocalDate(2025, 11, 4), Kolkata.DateOf(Instant.FromUtc(2025, 11, 4, 18, 29, 59)));
        Assert.Equal(new LocalDate(2025, 11, 5), Kolkata.DateOf(Instant.FromUtc(2025, 11, 4, 18, 30)));
    }

    [Fact]
    public void MidnightsWithin_AcrossNewYorkDstDays_ListsLocalMidnightsStrictlyInside()
    {
        var midnights = NewYork.MidnightsWithin(Instant.FromUtc(2025, 3, 9, 5, 0), Instant.FromUtc(2025, 3, 11, 4, 0));

        Assert.Equal([Instant.FromUtc(2025, 3, 10, 4, 0)], midnights); // the end itself is not inside
    }

    [Fact]
    public void MidnightsWithin_NoMidnightOrEmpty_IsEmpty()
    {
        var t = Instant.FromUtc(2025, 11, 5, 6, 0);
        Assert.Empty(Kolkata.MidnightsWithin(t, t));
        Assert.Empty(Kolkata.MidnightsWithin(t, t + Duration.FromHours(12)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Kolkata.MidnightsWithin(t, t - Duration.Epsilon));
    }

    [Fact]
    public void StartOf_ZoneSkippingMidnight_StartsAtFirstValidLocalTime()
    {
        // at 2025-06-01T00:00Z the offset goes from +00 to +01: local 00:00–00:59 on 1 June does not exist
        var zone = new SingleTransitionDateTimeZone(Instant.FromUtc(2025, 6, 1, 0, 0), Offset.Zero, Offset.FromHours(1));
        var calendar = new SiteCalendar(zone);

        var day = calendar.DayInterval(new LocalDate(2025, 6, 1));

        Assert.Equal(Instant.FromUtc(2025, 6, 1, 0, 0), day.Start); // 01:00 local
        Assert.Equal(Instant.FromUtc(2025, 6, 1, 23, 0), day.End);
        Assert.Equal(Duration.FromHours(23), day.Duration);
    }

    [Fact]
    public void MonthInterval_NewYorkMarch_SpansDstChange()
    {
        var month = NewYork.MonthInterval(new YearMonth(2025, 3));

        Assert.Equal(Instant.FromUtc(2025, 3, 1, 5, 0), month.Start);
        Assert.Equal(Instant.FromUtc(2025, 4, 1, 4, 0), month.End);
        Assert.Equal(new YearMonth(2025, 3), NewYork.MonthOf(Instant.FromUtc(2025, 4, 1, 3, 59)));
    }
}
