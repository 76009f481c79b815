using AutoVolt.Domain.Time;
using AutoVolt.Infrastructure.Migration;
using NodaTime;

namespace AutoVolt.Web.Tests.Infrastructure.Migration;

public sealed class SessionBuilderTests
{
    private static readonly SiteCalendar Ist = SiteCalendar.ForZoneId("Asia/Kolkata");
    private static readonly DeviceMapping Ac = new("d1", "s1", "Room", "AC", "ac", "Room", "ac_1", "", null, null);
    private static readonly Instant T0 = Instant.FromUtc(2025, 11, 6, 4, 0);
    private static int _id;

    private static LegacyActivity Row(bool on, double seconds, decimal? watts = null, bool offlineStop = false, decimal? duration = null) =>
        new((++_id).ToString("x24", null), "d1", "s1", "AC", on ? "on" : "off", on, T0 + Duration.FromMilliseconds((long)(seconds * 1000)),
            watts, "ac", duration, null, null, offlineStop);

    private static (IReadOnlyList<LegacySession> Sessions, SessionBuilder.Counts Counts) Build(params LegacyActivity[] rows)
    {
        var counts = new SessionBuilder.Counts();
        return (SessionBuilder.Build(rows, [Ac], LegacyPowerSettings.None, Ist, counts), counts);
    }

    [Fact]
    public void Build_OfflineStopRow_DoesNotCloseTheInterval()
    {
        var (sessions, counts) = Build(Row(true, 0), Row(false, 3600, offlineStop: true, duration: 3600), Row(false, 7200));
        var s = Assert.Single(sessions);
        Assert.Equal((T0, T0 + Duration.FromHours(2), CloseRule.OffRow), (s.On, s.Off, s.Close));
        Assert.Equal(1, counts.OfflineStops);
    }

    [Fact]
    public void Build_SameStateWithinFiveSeconds_OneEvent_SixSecondsLater_RedundantOff()
    {
        var (sessions, counts) = Build(Row(true, 0), Row(false, 60), Row(false, 65), Row(false, 66));
        Assert.Single(sessions);
        Assert.Equal(T0 + Duration.FromSeconds(60), sessions[0].Off);
        Assert.Equal(1, counts.MergedDuplicates);
        Assert.Equal(1, counts.RedundantOff);
        Assert.Equal(3, counts.Events);
    }

    [Fact]
    public void Build_NoWattsAnywhere_TypeDefaultOfTheOldPowerSettings()
    {
        var (sessions, _) = Build(Row(true, 0, watts: 0m), Row(false, 1800));
        Assert.Equal((1500m, WattsSource.TypeDefault), (sessions[0].Watts, sessions[0].Source));
    }

    [Fact]
    public void Build_OnWithoutOff_ClosedAtTheEndOfTheIstDay()
    {
        var (sessions, _) = Build(Row(true, 0, watts: 1200m));
        Assert.Equal((Instant.FromUtc(2025, 11, 6, 18, 30), CloseRule.EndOfDay, 1200m, WattsSource.Row),
            (sessions[0].Off, sessions[0].Close, sessions[0].Watts, sessions[0].Source));
    }
}
