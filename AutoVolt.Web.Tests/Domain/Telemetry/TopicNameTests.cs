using AutoVolt.Domain.Telemetry;

namespace AutoVolt.Web.Tests.Domain.Telemetry;

public sealed class TopicNameTests
{
    [Theory]
    [InlineData("autovolt/ESP01/telemetry", "ESP01", TopicKind.Telemetry)]
    [InlineData("autovolt/ESP01/heartbeat", "ESP01", TopicKind.Heartbeat)]
    [InlineData("autovolt/lab-2.board_7/status", "lab-2.board_7", TopicKind.Status)]
    public void TryParse_AutoVoltTopic_BoardAndKind(string topic, string board, TopicKind kind)
    {
        Assert.True(TopicName.TryParse(topic, out var parsedBoard, out var parsedKind));
        Assert.Equal(board, parsedBoard);
        Assert.Equal(kind, parsedKind);
        Assert.Equal(topic, new TopicName(board, kind).ToString());
    }

    [Theory]
    [InlineData(null, "topic is empty")]
    [InlineData("", "topic is empty")]
    [InlineData("autovolt/ESP01", "is not autovolt/<esp32_name>/{telemetry|heartbeat|status}")]
    [InlineData("autovolt/ESP01/telemetry/extra", "is not autovolt/<esp32_name>/")]
    [InlineData("AutoVolt/ESP01/telemetry", "is not autovolt/<esp32_name>/")]
    [InlineData("/autovolt/ESP01/telemetry", "is not autovolt/<esp32_name>/")]
    [InlineData("other/ESP01/telemetry", "is not autovolt/<esp32_name>/")]
    [InlineData("autovolt//telemetry", "has an invalid board name")]
    [InlineData("autovolt/+/telemetry", "has an invalid board name")]
    [InlineData("autovolt/ESP 01/telemetry", "has an invalid board name")]
    [InlineData("autovolt/ESP01/Telemetry", "ends in 'Telemetry', not telemetry, heartbeat or status")]
    [InlineData("autovolt/ESP01/#", "ends in '#'")]
    [InlineData("autovolt/ESP01/", "ends in ''")]
    public void Parse_OtherTopic_RejectedWithReason(string? topic, string reason)
    {
        var result = TopicName.Parse(topic);

        Assert.False(result.IsAccepted);
        Assert.Equal("topic", result.Rejection.Field);
        Assert.Contains(reason, result.Rejection.Reason, StringComparison.Ordinal);
        Assert.False(TopicName.TryParse(topic, out var board, out _));
        Assert.Equal("", board);
    }
}
