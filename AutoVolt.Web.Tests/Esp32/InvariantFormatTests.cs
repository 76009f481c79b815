using System.Globalization;
using System.Text;
using AutoVolt.Esp32.Core;
using CsCheck;

namespace AutoVolt.Web.Tests.Esp32;

public sealed class InvariantFormatTests
{
    [Theory]
    [InlineData(12_345_670, 3, "12345.67")]
    [InlineData(40_000, 3, "40")]
    [InlineData(0, 3, "0")]
    [InlineData(1, 3, "0.001")]
    [InlineData(1_050, 3, "1.05")]
    [InlineData(-2_500, 3, "-2.5")]
    [InlineData(7, 0, "7")]
    public void AppendFixed_Values_FormatsWithDotAndTrimmedZeros(long scaled, int decimals, string expected)
    {
        var sb = new StringBuilder();
        InvariantFormat.AppendFixed(sb, scaled, decimals);
        Assert.Equal(expected, sb.ToString());
    }

    [Fact]
    public void AppendFixed_AnyValue_RoundTripsThroughDecimalParse()
    {
        Gen.Long[-1_000_000_000_000, 1_000_000_000_000].Sample(v =>
        {
            var sb = new StringBuilder();
            InvariantFormat.AppendFixed(sb, v, 3);
            Assert.Equal(v / 1000m, decimal.Parse(sb.ToString(), CultureInfo.InvariantCulture));
        });
    }

    [Fact]
    public void IsoUtc_AnyInstant_MatchesDotNetFormatting()
    {
        Gen.Long[0, 253_402_300_799_999].Sample(ms =>
        {
            string expected = DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime
                .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            Assert.Equal(expected, InvariantFormat.IsoUtc(ms));
        });
    }

    [Theory]
    [InlineData(0L, "1970-01-01T00:00:00.000Z")]
    [InlineData(951_782_400_000L, "2000-02-29T00:00:00.000Z")]
    [InlineData(1_762_323_154_007L, "2025-11-05T06:12:34.007Z")]
    public void IsoUtc_KnownInstants_AreExact(long ms, string expected)
    {
        Assert.Equal(expected, InvariantFormat.IsoUtc(ms));
    }

    [Fact]
    public void AppendJsonString_QuotesBackslashesAndControls_AreEscaped()
    {
        var sb = new StringBuilder();
        InvariantFormat.AppendJsonString(sb, "a\"b\\c\n\u0001é");
        Assert.Equal("\"a\\\"b\\\\c\\u000a\\u0001é\"", sb.ToString());
        Assert.Equal("a\"b\\c\n\u0001é", System.Text.Json.JsonSerializer.Deserialize<string>(sb.ToString()));
    }

    [Fact]
    public void AppendInteger_Extremes_AreExact()
    {
        var sb = new StringBuilder();
        InvariantFormat.AppendInteger(sb, long.MinValue);
        sb.Append(' ');
        InvariantFormat.AppendInteger(sb, long.MaxValue);
        Assert.Equal("-9223372036854775808 9223372036854775807", sb.ToString());
    }
}
