using System.Text.Json;
using AutoVolt.Domain.Time;
using AutoVolt.Infrastructure.Migration;
using NodaTime;

namespace AutoVolt.Web.Tests.Infrastructure.Migration;

public sealed class ExtendedJsonTests
{
    private const string Relaxed = """
        {"_id":{"$oid":"6710AA000000000000000001"},"deviceId":{"$oid":"6710aa0000000000000000d1"},"switchId":"6710aa0000000000000000a1","action":"off",
         "timestamp":{"$date":"2025-10-30T05:10:00.000Z"},"powerConsumption":40,"duration":5400,"context":{"energyKwh":0.06,"cost":0.42}}
        """;

    private const string Canonical = """
        {"_id":{"$oid":"6710aa000000000000000001"},"deviceId":{"$oid":"6710aa0000000000000000d1"},"switchId":{"$oid":"6710aa0000000000000000a1"},"action":"off",
         "timestamp":{"$date":{"$numberLong":"1761801000000"}},"powerConsumption":{"$numberInt":"40"},"duration":{"$numberLong":"5400"},
         "context":{"energyKwh":{"$numberDouble":"0.06"},"cost":{"$numberDecimal":"0.42"}}}
        """;

    private const string Plain = """
        {"_id":"6710aa000000000000000001","deviceId":"6710aa0000000000000000d1","switchId":"6710aa0000000000000000a1","action":"off",
         "timestamp":"2025-10-30T05:10:00.000Z","powerConsumption":40,"duration":5400,"context":{"energyKwh":0.06,"cost":0.42}}
        """;

    [Theory]
    [InlineData(Relaxed, true)]
    [InlineData(Canonical, true)]
    [InlineData(Plain, true)]
    [InlineData(Relaxed, false)]
    [InlineData(Canonical, false)]
    [InlineData(Plain, false)]
    public async Task Activities_AnyFormArrayOrLines_ReadTheSameRow(string doc, bool asArray)
    {
        var oneLine = JsonSerializer.Serialize(JsonDocument.Parse(doc).RootElement);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, asArray ? $"[{oneLine},\n{oneLine}]" : $"{oneLine}\n{oneLine}\n");
            var counts = new LegacyReader.ActivityCounts();
            var rows = await LegacyReader.ActivitiesAsync(path, counts, Instant.MaxValue, CancellationToken.None);
            Assert.Equal(2, rows.Count);
            var r = rows[0];
            Assert.Equal(
                new LegacyActivity("6710aa000000000000000001", "6710aa0000000000000000d1", "6710aa0000000000000000a1", null, "off", false,
                    Instant.FromUtc(2025, 10, 30, 5, 10), 40m, null, 5400m, 0.06m, 0.42m),
                r);
            Assert.Equal(60m, r.TrackerWh);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task EnergyDays_DayFromYearMonthDay_NotFromTheIstMidnightDate()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, """
                {"_id":{"$oid":"6710bb000000000000000001"},"deviceId":{"$oid":"6710aa0000000000000000d1"},"date":{"$date":"2025-10-29T18:30:00.000Z"},
                 "year":{"$numberInt":"2025"},"month":{"$numberInt":"10"},"day":{"$numberInt":"30"},"totalEnergyKwh":{"$numberDouble":"0.135"},"electricityRate":7}
                """);
            var days = await LegacyReader.EnergyDaysAsync(path, SiteCalendar.ForZoneId("Asia/Kolkata"), CancellationToken.None);
            Assert.Equal(new LocalDate(2025, 10, 30), Assert.Single(days).Date);
            Assert.Equal(0.135m, days[0].TotalKwh);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("LH_D_28_(MCA_1)", "LH_D_28_MCA_1")]
    [InlineData("LH_D_25_(BCA_1st_Sem)", "LH_D_25_BCA_1st_Sem")]
    [InlineData("Computer Lab", "Computer_Lab")]
    [InlineData("IOT_Lab", "IOT_Lab")]
    [InlineData(" (Room #3) ", "Room_3")]
    public void TopicSafe_OldNames_BecomeTopicSafe(string name, string expected) => Assert.Equal(expected, LegacyNames.TopicSafe(name));

    [Theory]
    [InlineData("88:57:21:AB:CD:EF", "88:57:21:ab:cd:ef")]
    [InlineData("88-57-21-ab-cd-ef", "88:57:21:ab:cd:ef")]
    [InlineData("885721ABCDEF", "88:57:21:ab:cd:ef")]
    [InlineData("not-a-mac", "not-a-mac")]
    public void NormaliseMac_MixedFormats_LowerCaseColon(string mac, string expected) => Assert.Equal(expected, LegacyNames.NormaliseMac(mac));

    [Fact]
    public void Map_NameCollision_DisambiguatedInObjectIdOrder()
    {
        LegacySwitch[] sw = [new("aa", "Light 1", "light", 40m), new("ab", "Light 2", "light", null), new("ac", "Plug", "weird", null)];
        var maps = LegacyNames.Map([new LegacyDevice("d2", "Lab (A)", null, "", "", sw), new LegacyDevice("d1", "Lab_A", null, "", "", sw)]);
        Assert.Equal(["Lab_A/light_1", "Lab_A/light_2", "Lab_A/switch_1", "Lab_A_2/light_1", "Lab_A_2/light_2", "Lab_A_2/switch_1"],
            maps.Select(m => m.DeviceKey));
        Assert.Equal("d1", maps[0].LegacyDeviceId);
    }
}
