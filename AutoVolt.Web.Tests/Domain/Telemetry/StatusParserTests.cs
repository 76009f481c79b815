using AutoVolt.Domain.Telemetry;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Telemetry;

public sealed class StatusParserTests
{
    private static readonly Instant ReceivedAt = Instant.FromUtc(2025, 11, 5, 6, 15, 0);

    private static ParseResult<BoardStatus> Parse(string text, string board = "ESP01") =>
        StatusParser.Parse(Payloads.Utf8(text), board, ReceivedAt, ClockRules.Default);

    [Theory]
    [InlineData("online", BoardState.Online)]
    [InlineData("offline", BoardState.Offline)]
    [InlineData("OFFLINE", BoardState.Offline)]
    [InlineData("  Online\r\n", BoardState.Online)]
    public void Parse_PlainWord_UsesReceiveTime(string text, BoardState expected)
    {
        var result = Parse(text);

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal(expected, result.Value.State);
        Assert.Equal(ReceivedAt, result.Value.Timestamp);
        Assert.Equal(StatusTimeSource.ReceivedAt, result.Value.TimeSource);
        Assert.False(result.Value.IsTimestampFromPayload);
        Assert.Equal("ESP01", result.Value.EspName);
    }

    public static TheoryData<string, BoardState, Instant, StatusTimeSource> JsonCases => new()
    {
        { """{"status":"offline","timestamp":"2025-11-05T06:10:00Z"}""", BoardState.Offline, Instant.FromUtc(2025, 11, 5, 6, 10), StatusTimeSource.Payload },
        { """{"status":"online","timestamp":"2025-11-05T11:50:00+05:30"}""", BoardState.Online, Instant.FromUtc(2025, 11, 5, 6, 20), StatusTimeSource.Payload },
        { """{"status":"offline","timestamp":"2025-11-05T06:20:01Z"}""", BoardState.Offline, Instant.FromUtc(2025, 11, 5, 6, 15), StatusTimeSource.ReceivedAt }, // > 5 min ahead
        { """{"status":"offline","timestamp":"2019-12-31T23:00:00Z"}""", BoardState.Offline, Instant.FromUtc(2025, 11, 5, 6, 15), StatusTimeSource.ReceivedAt }, // before 2020
        { """{"status":"offline"}""", BoardState.Offline, Instant.FromUtc(2025, 11, 5, 6, 15), StatusTimeSource.ReceivedAt },
        { """{"status":"OFFLINE","timestamp":null,"esp32_name":"ESP01","extra":1}""", BoardState.Offline, Instant.FromUtc(2025, 11, 5, 6, 15), StatusTimeSource.ReceivedAt },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public void Parse_Json_TimestampTrustedOnlyWhenValid(string json, BoardState state, Instant timestamp, StatusTimeSource source)
    {
        var result = Parse(json);

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal(state, result.Value.State);
        Assert.Equal(timestamp, result.Value.Timestamp);
        Assert.Equal(source, result.Value.TimeSource);
        Assert.Equal(ReceivedAt, result.Value.ReceivedAt);
    }

    [Theory]
    [InlineData("", null, "payload is empty")]
    [InlineData("   ", null, "status payload must be 'online', 'offline' or a JSON object")]
    [InlineData("on line", null, "status payload must be 'online', 'offline' or a JSON object, got 'on line'")]
    [InlineData("\"offline\"", null, "status payload must be 'online', 'offline' or a JSON object")]
    [InlineData("{\"status\":\"offline\"", null, "payload is not valid JSON")]
    [InlineData("{}", "status", "status is required")]
    [InlineData("""{"status":"asleep"}""", "status", "status must be 'online' or 'offline', got 'asleep'")]
    [InlineData("""{"status":" online"}""", "status", "status must be 'online' or 'offline'")]
    [InlineData("""{"status":true}""", "status", "status must be a JSON string, not a boolean")]
    [InlineData("""{"status":"online","timestamp":"soon"}""", "timestamp", "timestamp 'soon' is not ISO-8601")]
    [InlineData("""{"status":"online","esp32_name":"ESP09"}""", "esp32_name", "topic/payload mismatch")]
    [InlineData("""{"status":"online","status":"offline"}""", "status", "duplicate key 'status'")]
    public void Parse_Invalid_Rejected(string text, string? field, string reason)
    {
        var result = Parse(text);

        Assert.False(result.IsAccepted);
        Assert.Equal(field, result.Rejection.Field);
        Assert.Contains(reason, result.Rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidUtf8_Rejected()
    {
        var result = StatusParser.Parse([0x6F, 0xFF, 0x6E], "ESP01", ReceivedAt, ClockRules.Default);

        Assert.Equal("payload is not valid UTF-8", result.Rejection?.Reason);
    }
}
