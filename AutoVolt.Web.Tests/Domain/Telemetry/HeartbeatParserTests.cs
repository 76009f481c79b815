using AutoVolt.Domain.Telemetry;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Telemetry;

public sealed class HeartbeatParserTests
{
    private static readonly Instant ReceivedAt = Instant.FromUtc(2025, 11, 5, 6, 15, 0);

    private static ParseResult<Heartbeat> Parse(string json, string board = "ESP01") =>
        HeartbeatParser.Parse(Payloads.Utf8(json), board, ReceivedAt);

    [Fact]
    public void Parse_FullHeartbeat_AcceptsWithClockOffset()
    {
        var result = Parse("""{"esp32_name":"ESP01","timestamp":"2025-11-05T06:15:07.5Z","uptime_seconds":3600,"wifi_rssi":-61,"firmware_ver":"v2.0.1"}""");

        Assert.True(result.IsAccepted, result.ToString());
        var h = result.Value;
        Assert.Equal("ESP01", h.EspName);
        Assert.Equal(Instant.FromUtc(2025, 11, 5, 6, 15, 7) + Duration.FromMilliseconds(500), h.BoardTimestamp);
        Assert.Equal(ReceivedAt, h.ReceivedAt);
        Assert.Equal(Duration.FromMilliseconds(7500), h.ClockOffset);
        Assert.Equal(3600L, h.UptimeSeconds);
        Assert.Equal(-61, h.WifiRssi);
        Assert.Equal("v2.0.1", h.FirmwareVer);
    }

    [Fact]
    public void Parse_BoardBehind_NegativeOffset()
    {
        var result = Parse("""{"timestamp":"2025-11-05T06:05:00Z"}""");

        Assert.Equal(Duration.FromMinutes(-10), result.Value.ClockOffset);
        Assert.Equal("ESP01", result.Value.EspName);
    }

    [Fact]
    public void Parse_NoTimestamp_AcceptedWithoutOffset()
    {
        var result = Parse("""{"uptime_seconds":30}""");

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Null(result.Value.BoardTimestamp);
        Assert.Null(result.Value.ClockOffset);
    }

    [Theory]
    [InlineData("""{"esp32_name":"ESP02"}""", "esp32_name", "topic/payload mismatch")]
    [InlineData("""{"esp32_name":"ESP 1"}""", "esp32_name", "esp32_name must be 1 to 64 characters")]
    [InlineData("""{"timestamp":"noon"}""", "timestamp", "timestamp 'noon' is not ISO-8601")]
    [InlineData("""{"timestamp":12}""", "timestamp", "timestamp must be a JSON string, not a number")]
    [InlineData("""{"uptime_seconds":-5}""", "uptime_seconds", "uptime_seconds must be between 0 and 631152000 s")]
    [InlineData("""{"wifi_rssi":3}""", "wifi_rssi", "wifi_rssi must be between -127 and 0 dBm")]
    [InlineData("""{"firmware_ver":7}""", "firmware_ver", "firmware_ver must be a JSON string, not a number")]
    [InlineData("""{"uptime_seconds":1,"uptime_seconds":2}""", "uptime_seconds", "duplicate key 'uptime_seconds'")]
    [InlineData("[]", null, "payload must be a JSON object, not an array")]
    [InlineData("", null, "payload is empty")]
    [InlineData("{", null, "payload is not valid JSON")]
    public void Parse_Invalid_Rejected(string json, string? field, string reason)
    {
        var result = Parse(json);

        Assert.False(result.IsAccepted);
        Assert.Equal(field, result.Rejection.Field);
        Assert.Contains(reason, result.Rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidTopicBoard_Rejected()
    {
        var result = Parse("{}", board: "ESP/01");

        Assert.False(result.IsAccepted);
        Assert.Contains("topic board must be 1 to 64 characters", result.Rejection.Reason, StringComparison.Ordinal);
    }
}
