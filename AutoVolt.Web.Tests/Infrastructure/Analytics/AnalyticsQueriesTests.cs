using AutoVolt.Infrastructure.Analytics;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using static AutoVolt.Web.Tests.Infrastructure.Analytics.AnalyticsFixture;

namespace AutoVolt.Web.Tests.Infrastructure.Analytics;

// Expectations are computed by hand from the rows documented on AnalyticsFixture.SeedAsync (rate 0.2 USD/kWh).
public sealed class AnalyticsQueriesTests(AnalyticsFixture app) : IClassFixture<AnalyticsFixture>
{
    private static readonly LocalDate FallBack = Date("2025-11-02");
    private static readonly LocalDate SpringForward = Date("2025-03-09");

    private static Instant At(string iso) => InstantPattern.ExtendedIso.Parse(iso).Value;

    [Fact]
    public async Task SummaryAsync_FallBackDay_TotalsConfidenceAndQualityFromAggregates()
    {
        var s = await app.Queries.SummaryAsync(null, FallBack);

        Assert.Equal(202.5m, s.EnergyWh); // 100 + 60 + (20 - 20 + 25) + 10 + 7.5
        Assert.Equal(0.0405m, s.Cost);
        Assert.Equal("USD", s.Currency);
        Assert.Equal(10800m, s.OnTimeSec);
        Assert.Equal(new EnergyByConfidence(117.5m, 25m, 60m), s.EnergyByConfidence);
        Assert.Equal(0m, s.HeldEnergyWh);
        Assert.Equal(3, s.Devices);
        Assert.Equal(0.296296m, s.Quality.EstimatedShare); // 60 / 202.5
        Assert.Equal(0.123457m, s.Quality.MediumShare);    // 25 / 202.5
        Assert.Equal(2, s.Quality.FlagCounts["gap"]);
        Assert.Equal(1, s.Quality.FlagCounts["estimated"]);
    }

    [Fact]
    public async Task SummaryAsync_ClassroomFilter_CountsOnlyThatClassroom()
    {
        var a = await app.Queries.SummaryAsync("A-101", FallBack);
        var evil = await app.Queries.SummaryAsync(InjectionClassroom, FallBack);
        var none = await app.Queries.SummaryAsync("' OR 1=1; DROP TABLE ledger_entries; --", FallBack);

        Assert.Equal((195m, 0.039m, 2), (a.EnergyWh, a.Cost, a.Devices));
        Assert.Equal((7.5m, 0.0015m, 1), (evil.EnergyWh, evil.Cost, evil.Devices));
        Assert.Equal((0m, 0), (none.EnergyWh, none.Devices));
    }

    [Fact]
    public async Task SummaryAsync_EmptyDay_ZerosNotMissing()
    {
        var s = await app.Queries.SummaryAsync(null, Date("2025-11-04"));

        Assert.Equal((0m, 0m, 0, "USD"), (s.EnergyWh, s.Cost, s.Devices, s.Currency));
        Assert.Null(s.Quality.EstimatedShare);
        Assert.Empty(s.Quality.FlagCounts);
    }

    [Fact]
    public async Task TimelineAsync_FallBackDay_25HourlyBucketsFromLocalMidnight_SpanningRowSharedExactly()
    {
        var t = await app.Queries.TimelineAsync(null, FallBack, FallBack, 60);

        Assert.Equal(25, t.Buckets.Count);
        Assert.Equal(At("2025-11-02T04:00:00Z"), t.Buckets[0].Start);
        Assert.Equal(At("2025-11-03T05:00:00Z"), t.Buckets[^1].End);
        // 01:00 local occurs twice: EDT then EST.
        Assert.Equal(new LocalDateTime(2025, 11, 2, 1, 0), t.Buckets[1].LocalStart.LocalDateTime);
        Assert.Equal(new LocalDateTime(2025, 11, 2, 1, 0), t.Buckets[2].LocalStart.LocalDateTime);
        Assert.Equal(Offset.FromHours(-4), t.Buckets[1].LocalStart.Offset);
        Assert.Equal(Offset.FromHours(-5), t.Buckets[2].LocalStart.Offset);
        var expected = new decimal[25];
        expected[0] = 100m; expected[1] = 30m; expected[2] = 30m; expected[3] = 25m; expected[8] = 7.5m; expected[24] = 10m;
        Assert.Equal(expected, t.Buckets.Select(b => b.EnergyWh).ToArray());
        Assert.Equal((30m, 30m), (t.Buckets[1].EstimatedWh, t.Buckets[2].EstimatedWh));
        Assert.Equal((0.006m, 0.006m), (t.Buckets[1].Cost, t.Buckets[2].Cost));
        Assert.Equal(202.5m, t.Buckets.Sum(b => b.EnergyWh));
        Assert.Equal(0.0405m, t.Buckets.Sum(b => b.Cost));
        Assert.Equal("USD", t.Currency);
    }

    [Fact]
    public async Task TimelineAsync_SpringForwardDay_23Buckets_UnevenSplitWithCumulativeRounding()
    {
        var t = await app.Queries.TimelineAsync(null, SpringForward, SpringForward, 60);

        Assert.Equal(23, t.Buckets.Count);
        Assert.Equal(new LocalDateTime(2025, 3, 9, 3, 0), t.Buckets[2].LocalStart.LocalDateTime); // 02:00 does not exist
        // 10 Wh over 06:40–08:10Z: 20, 60 and 10 minutes; cumulative rounding to 6 (energy) and 12 (cost) decimals.
        Assert.Equal([2.222222m, 6.666667m, 1.111111m], t.Buckets.Skip(1).Take(3).Select(b => b.EnergyWh).ToArray());
        Assert.Equal([0.000444444444m, 0.001333333334m, 0.000222222222m], t.Buckets.Skip(1).Take(3).Select(b => b.Cost).ToArray());
        Assert.Equal(10m, t.Buckets.Sum(b => b.EnergyWh));
        Assert.Equal(0.002m, t.Buckets.Sum(b => b.Cost));
    }

    [Fact]
    public async Task TimelineAsync_QuarterHoursOverThreeDays_100BucketsOnFallBackDay_ClassroomFilterMatchesSummary()
    {
        var t = await app.Queries.TimelineAsync("A-101", Date("2025-11-01"), Date("2025-11-03"), 15);

        Assert.Equal(96 + 100 + 96, t.Buckets.Count);
        Assert.Equal(195m, t.Buckets.Where(b => b.Date == FallBack).Sum(b => b.EnergyWh));
        Assert.Equal(0m, t.Buckets.Where(b => b.Date != FallBack).Sum(b => b.EnergyWh));
        Assert.Equal(60m, t.Buckets.Sum(b => b.EstimatedWh));
    }

    [Fact]
    public async Task DeviceBreakdownAsync_FallBackDay_EveryDeviceWithShareConfidenceAndOnlineState()
    {
        var b = await app.Queries.DeviceBreakdownAsync(null, FallBack);

        Assert.Equal(202.5m, b.EnergyWh);
        Assert.Equal(["ESPA/light_1", "ESPA/fan_1", "ESPB/-evil"], b.Devices.Select(d => d.DeviceKey).ToArray());
        var light = b.Devices[0];
        Assert.Equal((185m, 0.037m, 8400m, 0.913580m), (light.EnergyWh, light.Cost, light.OnTimeSec, light.Share));
        Assert.Equal(new EnergyByConfidence(100m, 25m, 60m), light.EnergyByConfidence);
        Assert.Equal(("ESPA", "light_1", "online"), (light.Esp32Name, light.DeviceId, light.OnlineState));
        Assert.Equal(0.049383m, b.Devices[1].Share);
        var evil = b.Devices[2];
        Assert.Equal((7.5m, 0.037037m, "offline", InjectionClassroom), (evil.EnergyWh, evil.Share, evil.OnlineState, evil.Classroom));
        Assert.Equal(1, evil.FlagCounts["gap"]);
    }

    [Fact]
    public async Task DeviceBreakdownAsync_EmptyDay_DevicesStillListedWithZeros()
    {
        var b = await app.Queries.DeviceBreakdownAsync(null, Date("2025-11-04"));

        Assert.Equal(3, b.Devices.Count);
        Assert.All(b.Devices, d => Assert.Equal((0m, (decimal?)null), (d.EnergyWh, d.Share)));
        Assert.Contains(b.Devices, d => d.OnlineState == "offline");
    }

    [Fact]
    public async Task MonthlyAsync_November_TotalsAndEveryDayPresent()
    {
        var m = await app.Queries.MonthlyAsync(null, 2025, 11);

        Assert.Equal((202.5m, 0.0405m, 3, "USD"), (m.EnergyWh, m.Cost, m.Devices, m.Currency));
        Assert.Equal(30, m.Days.Count);
        Assert.Equal(Date("2025-11-01"), m.Days[0].Date);
        Assert.Equal(202.5m, m.Days[1].EnergyWh);
        Assert.Equal(202.5m, m.Days.Sum(d => d.EnergyWh));
        Assert.Equal(new EnergyByConfidence(117.5m, 25m, 60m), m.EnergyByConfidence);
    }

    [Fact]
    public async Task MonthlyAsync_MarchAndEmptyMonth_ZeroDaysFilled()
    {
        var march = await app.Queries.MonthlyAsync(null, 2025, 3);
        var empty = await app.Queries.MonthlyAsync("A-101", 2024, 2);

        Assert.Equal(31, march.Days.Count);
        Assert.Equal(10m, march.Days[8].EnergyWh);
        Assert.Equal(10m, march.EnergyWh);
        Assert.Equal(29, empty.Days.Count);
        Assert.Equal(0m, empty.EnergyWh);
    }

    [Fact]
    public async Task CsvExport_Range_OneRowPerDeviceDay_InjectionCellsEscaped()
    {
        using var ms = new MemoryStream();
        var rows = await app.Factory.Services.GetRequiredService<CsvExport>().WriteAsync(ms, null, Date("2025-11-01"), Date("2025-11-04"));
        var lines = System.Text.Encoding.UTF8.GetString(ms.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, rows);
        Assert.Equal(string.Join(',', CsvExport.Headers), lines[0]);
        Assert.StartsWith("local_date,classroom,esp32_name,device_id,device_key,energy_wh,cost,currency,", lines[0]);
        var evil = Assert.Single(lines, l => l.Contains("ESPB/-evil", StringComparison.Ordinal));
        Assert.StartsWith("2025-11-02,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",ESPB,'-evil,ESPB/-evil,7.500000,", evil);
        Assert.EndsWith(",gap=1", evil);
        var light = Assert.Single(lines, l => l.Contains("ESPA/light_1", StringComparison.Ordinal)).Split(',');
        Assert.Equal(185m, decimal.Parse(light[5], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0.037m, decimal.Parse(light[6], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(("USD", app.GlobalVersionId.ToString(System.Globalization.CultureInfo.InvariantCulture), "0.200000"), (light[7], light[8], light[9]));
        Assert.Equal("estimated=1;gap=1", light[^1]);
    }

    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+cmd", "'+cmd")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("a,\"b\"", "\"a,\"\"b\"\"\"")]
    [InlineData("A-101", "A-101")]
    public void CsvExport_Text_NeutralisesFormulasAndQuotes(string value, string expected) =>
        Assert.Equal(expected, CsvExport.Text(value));

    [Fact]
    public async Task HealthAsync_SeededStore_CountsAndConsistency()
    {
        var h = await app.Queries.HealthAsync();

        Assert.Equal(0, h.TelemetryEventsUnprocessed);
        Assert.Null(h.OldestUnaccountedAge);
        Assert.Equal(0, h.LedgerEntriesToday);
        Assert.NotNull(h.LastAggregation);
        Assert.Equal((2, 3), (h.OnlineDevices, h.Devices));
        Assert.Equal(0, h.InconsistentDays);
    }
}
