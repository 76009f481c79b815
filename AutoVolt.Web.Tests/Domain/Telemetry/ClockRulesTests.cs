using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Telemetry;
using NodaTime;
using NodaTime.Text;

namespace AutoVolt.Web.Tests.Domain.Telemetry;

public sealed class ClockRulesTests
{
    private static readonly Instant ReceivedAt = Instant.FromUtc(2025, 11, 5, 6, 15, 0);

    private static Instant At(string iso) => InstantPattern.ExtendedIso.Parse(iso).Value;

    public static TheoryData<string, string, EntryMarks> TimestampCases => new()
    {
        // board timestamp (raw JSON or Remove), expected accounting time, expected marks; receipt 06:15:00Z
        { "\"2025-11-05T06:14:00Z\"", "2025-11-05T06:14:00Z", EntryMarks.None },
        { "\"2025-11-05T06:13:00Z\"", "2025-11-05T06:13:00Z", EntryMarks.None },               // exactly the settle window: not late
        { "\"2025-11-05T06:12:59Z\"", "2025-11-05T06:12:59Z", EntryMarks.LateDelivery },       // 121 s old
        { "\"2025-11-02T09:00:00Z\"", "2025-11-02T09:00:00Z", EntryMarks.LateDelivery },       // replayed from the offline buffer
        { "\"2025-11-05T06:20:00Z\"", "2025-11-05T06:20:00Z", EntryMarks.None },               // exactly 5 min ahead: trusted
        { "\"2025-11-05T06:20:00.000000001Z\"", "2025-11-05T06:15:00Z", EntryMarks.ClockInvalid }, // 1 ns beyond tolerance
        { "\"2025-11-05T07:15:00Z\"", "2025-11-05T06:15:00Z", EntryMarks.ClockInvalid },       // an hour ahead
        { "\"2020-01-01T00:00:00Z\"", "2020-01-01T00:00:00Z", EntryMarks.LateDelivery },       // earliest valid instant
        { "\"2019-12-31T23:59:59.999Z\"", "2025-11-05T06:15:00Z", EntryMarks.ClockInvalid },   // before 2020
        { "\"1970-01-01T00:00:12Z\"", "2025-11-05T06:15:00Z", EntryMarks.ClockInvalid },       // not NTP-synced
        { Payloads.Remove, "2025-11-05T06:15:00Z", EntryMarks.ClockInvalid },                 // no timestamp at all
        { "null", "2025-11-05T06:15:00Z", EntryMarks.ClockInvalid },
        { "\"2025-11-05T11:44:30+05:30\"", "2025-11-05T06:14:30Z", EntryMarks.None },          // offset normalised
        { "\"2025-11-05T11:44:30+0530\"", "2025-11-05T06:14:30Z", EntryMarks.None },           // basic-format offset
        { "\"2025-11-05T01:14:30-05\"", "2025-11-05T06:14:30Z", EntryMarks.None },             // hour-only offset
        { "\"2025-11-05T06:14:30+00:00\"", "2025-11-05T06:14:30Z", EntryMarks.None },
        { "\"2025-11-05T06:14:30.123456789Z\"", "2025-11-05T06:14:30.123456789Z", EntryMarks.None }, // nanoseconds kept
    };

    [Theory]
    [MemberData(nameof(TimestampCases))]
    public void Parse_BoardTimestamp_AppliesClockRules(string raw, string expectedTimestamp, EntryMarks expectedMarks)
    {
        var result = TelemetryParser.Parse(Payloads.Utf8(Payloads.With(("timestamp", raw))), Payloads.Board, ReceivedAt, ClockRules.Default);

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal(At(expectedTimestamp), result.Value.Timestamp);
        Assert.Equal(expectedMarks, result.Value.Marks);
        Assert.Equal(ReceivedAt, result.Value.ReceivedAt);
    }

    [Theory]
    [InlineData("\"2025-11-05T07:15:00Z\"", "2025-11-05T07:15:00Z")]
    [InlineData("\"1970-01-01T00:00:12Z\"", "1970-01-01T00:00:12Z")]
    [InlineData("\"2025-11-05T11:44:30+05:30\"", "2025-11-05T06:14:30Z")]
    [InlineData(Payloads.Remove, "1970-01-01T00:00:00Z")]
    public void Parse_BoardTimestamp_KeptAsSentEvenWhenUntrusted(string raw, string expectedBoardTimestamp)
    {
        var result = TelemetryParser.Parse(Payloads.Utf8(Payloads.With(("timestamp", raw))), Payloads.Board, ReceivedAt, ClockRules.Default);

        Assert.Equal(At(expectedBoardTimestamp), result.Value.BoardTimestamp);
    }

    [Fact]
    public void Default_HasDesignValues()
    {
        Assert.Equal(Duration.FromMinutes(5), ClockRules.Default.FutureTolerance);
        Assert.Equal(Instant.FromUtc(2020, 1, 1, 0, 0), ClockRules.Default.EarliestValid);
        Assert.Equal(Duration.FromSeconds(120), ClockRules.Default.SettleWindow);
    }

    [Theory]
    [InlineData(0, 0, EntryMarks.None)]
    [InlineData(-1, 0, EntryMarks.LateDelivery)]     // settle window zero: any past reading is late
    [InlineData(1, 0, EntryMarks.ClockInvalid)]      // tolerance zero: any future reading is invalid
    [InlineData(-30, 30, EntryMarks.None)]
    [InlineData(-31, 30, EntryMarks.LateDelivery)]
    public void Check_CustomRules_UseTheirBounds(int offsetSeconds, int windowSeconds, EntryMarks expected)
    {
        var rules = new ClockRules { FutureTolerance = Duration.Zero, SettleWindow = Duration.FromSeconds(windowSeconds) };

        var check = rules.Check(ReceivedAt + Duration.FromSeconds(offsetSeconds), ReceivedAt);

        Assert.Equal(expected, check.Marks);
        Assert.Equal(expected != EntryMarks.ClockInvalid, check.IsBoardClockTrusted);
        Assert.Equal(expected == EntryMarks.ClockInvalid ? ReceivedAt : ReceivedAt + Duration.FromSeconds(offsetSeconds), check.Timestamp);
    }

    [Fact]
    public void Check_EarliestValidMovedLater_OlderTimestampInvalid()
    {
        var rules = ClockRules.Default with { EarliestValid = Instant.FromUtc(2025, 1, 1, 0, 0) };

        Assert.Equal(EntryMarks.ClockInvalid, rules.Check(Instant.FromUtc(2024, 12, 31, 23, 59), ReceivedAt).Marks);
        Assert.Equal(EntryMarks.LateDelivery, rules.Check(Instant.FromUtc(2025, 1, 1, 0, 0), ReceivedAt).Marks);
    }

    [Fact]
    public void Constructor_NegativeDurations_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClockRules { FutureTolerance = Duration.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => ClockRules.Default with { SettleWindow = Duration.FromSeconds(-1) });
    }

    [Fact]
    public void Parse_CustomRules_AreApplied()
    {
        var rules = ClockRules.Default with { FutureTolerance = Duration.FromHours(2) };

        var result = TelemetryParser.Parse(
            Payloads.Utf8(Payloads.With(("timestamp", "\"2025-11-05T07:15:00Z\""))), Payloads.Board, ReceivedAt, rules);

        Assert.Equal(Instant.FromUtc(2025, 11, 5, 7, 15), result.Value.Timestamp);
        Assert.Equal(EntryMarks.None, result.Value.Marks);
    }
}
