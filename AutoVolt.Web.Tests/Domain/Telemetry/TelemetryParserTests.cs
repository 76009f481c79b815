using AutoVolt.Domain.Ledger;
using AutoVolt.Domain.Telemetry;
using NodaTime;

namespace AutoVolt.Web.Tests.Domain.Telemetry;

public sealed class TelemetryParserTests
{
    private static readonly Instant ReceivedAt = Instant.FromUtc(2025, 11, 5, 6, 13, 0);

    private static ParseResult<TelemetryReading> Parse(string json, string board = Payloads.Board) =>
        TelemetryParser.Parse(Payloads.Utf8(json), board, ReceivedAt, ClockRules.Default);

    [Fact]
    public void Parse_DesignExample_AcceptsEveryField()
    {
        var result = Parse(Payloads.With());

        Assert.True(result.IsAccepted, result.ToString());
        var r = result.Value;
        Assert.Equal("ESP01", r.EspName);
        Assert.Equal("light_1", r.DeviceId);
        Assert.Equal("ESP01/light_1", r.DeviceKey);
        Assert.Equal("CR-101", r.Classroom);
        Assert.Equal(Instant.FromUtc(2025, 11, 5, 6, 12, 34), r.BoardTimestamp);
        Assert.Equal(r.BoardTimestamp, r.Timestamp);
        Assert.Equal(ReceivedAt, r.ReceivedAt);
        Assert.Equal(40m, r.PowerW);
        Assert.Equal(12345.67m, r.EnergyWhTotal);
        Assert.Equal(new Dictionary<string, bool> { ["sw1"] = true, ["sw2"] = false }, r.SwitchState);
        Assert.Null(r.SwitchKey);
        Assert.Equal(86400L, r.UptimeSeconds);
        Assert.Equal("online", r.Status);
        Assert.Equal(12345L, r.SequenceNo);
        Assert.Equal("v2.0.0", r.FirmwareVer);
        Assert.Equal(-45, r.WifiRssi);
        Assert.Equal("7f3a9c01", r.BootId);
        Assert.Equal(EntryMarks.None, r.Marks);
        Assert.Equal(32, r.DedupHash.Length);
    }

    [Fact]
    public void Parse_MinimalPayload_AcceptsWithOptionalFieldsNull()
    {
        var result = Parse("""{"esp32_name":"ESP01","device_id":"fan_1","power_w":0}""");

        Assert.True(result.IsAccepted, result.ToString());
        var r = result.Value;
        Assert.Equal(0m, r.PowerW);
        Assert.Null(r.EnergyWhTotal);
        Assert.Null(r.Classroom);
        Assert.Null(r.SwitchState);
        Assert.Null(r.UptimeSeconds);
        Assert.Null(r.Status);
        Assert.Null(r.SequenceNo);
        Assert.Null(r.FirmwareVer);
        Assert.Null(r.WifiRssi);
        Assert.Null(r.BootId);
    }

    [Theory]
    [InlineData("unknown_field", "{\"nested\":[1,2,3]}")]
    [InlineData("Power_W", "\"not the same key\"")]
    [InlineData("classroom", "null")]
    [InlineData("switch_state", "null")]
    [InlineData("wifi_rssi", "null")]
    [InlineData("energy_wh_total", "null")]
    public void Parse_UnknownOrNullField_Accepted(string key, string raw)
    {
        var result = Parse(Payloads.With((key, raw)));

        Assert.True(result.IsAccepted, result.ToString());
    }

    [Theory]
    [InlineData("power_w", "40", 40)]
    [InlineData("power_w", "40.0", 40)]
    [InlineData("power_w", "4e1", 40)]
    [InlineData("power_w", "4.0E+1", 40)]
    [InlineData("power_w", "400e-1", 40)]
    [InlineData("power_w", "100000", 100000)]
    [InlineData("power_w", "0", 0)]
    [InlineData("power_w", "-0", 0)]
    [InlineData("energy_wh_total", "0.001", 0.001)]
    [InlineData("energy_wh_total", "1000000000000", 1000000000000)]
    public void Parse_NumberFormats_ReadAsDecimal(string key, string raw, double expected)
    {
        var result = Parse(Payloads.With((key, raw)));

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal((decimal)expected, key == "power_w" ? result.Value.PowerW : result.Value.EnergyWhTotal);
    }

    [Theory]
    [InlineData("uptime_seconds", "8.64e4", 86400)]
    [InlineData("uptime_seconds", "86400.000", 86400)]
    [InlineData("uptime_seconds", "631152000", 631152000)]
    [InlineData("sequence_no", "0", 0)]
    [InlineData("sequence_no", "9223372036854775807", long.MaxValue)]
    [InlineData("wifi_rssi", "-127", -127)]
    [InlineData("wifi_rssi", "0", 0)]
    public void Parse_WholeNumberFormats_Accepted(string key, string raw, long expected)
    {
        var result = Parse(Payloads.With((key, raw)));

        Assert.True(result.IsAccepted, result.ToString());
        long? actual = key switch
        {
            "uptime_seconds" => result.Value.UptimeSeconds,
            "sequence_no" => result.Value.SequenceNo,
            _ => result.Value.WifiRssi,
        };
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("\"ONLINE\"", "online")]
    [InlineData("\"Offline\"", "offline")]
    public void Parse_StatusAnyCase_NormalisedToLowerCase(string raw, string expected)
    {
        var result = Parse(Payloads.With(("status", raw)));

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal(expected, result.Value.Status);
    }

    [Fact]
    public void Parse_EmptyClassroom_ReadAsAbsent()
    {
        var result = Parse(Payloads.With(("classroom", "\"\"")));

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Null(result.Value.Classroom);
    }

    [Fact]
    public void Parse_SwitchKeyAndSixteenSwitches_Accepted()
    {
        var switches = "{" + string.Join(",", Enumerable.Range(1, 16).Select(i => $"\"sw{i}\":{(i % 2 == 0 ? "true" : "false")}")) + "}";

        var result = Parse(Payloads.With(("switch_state", switches), ("switch_key", "\"sw4\"")));

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal(16, result.Value.SwitchState!.Count);
        Assert.True(result.Value.SwitchState["sw4"]);
        Assert.Equal("sw4", result.Value.SwitchKey);
    }

    [Fact]
    public void Parse_EscapedKeysAndValues_Unescaped()
    {
        var result = Parse("""{"esp32\u005fname":"ESP\u00301","device_id":"light_1","power_w":1}""");

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal("ESP01", result.Value.EspName);
    }

    public static TheoryData<string, string, string, string> FieldRejections => new()
    {
        // key, raw JSON value (or Remove), expected field, expected reason fragment
        { "esp32_name", Payloads.Remove, "esp32_name", "esp32_name is required" },
        { "esp32_name", "null", "esp32_name", "esp32_name is required" },
        { "esp32_name", "42", "esp32_name", "esp32_name must be a JSON string, not a number" },
        { "esp32_name", "\"ESP 01\"", "esp32_name", "esp32_name must be 1 to 64 characters of A-Z, a-z, 0-9" },
        { "esp32_name", "\"\"", "esp32_name", "esp32_name must be 1 to 64 characters" },
        { "esp32_name", "\"ESP02\"", "esp32_name", "topic/payload mismatch: esp32_name is 'ESP02' but the topic is for board 'ESP01'" },
        { "esp32_name", "\"esp01\"", "esp32_name", "topic/payload mismatch" },
        { "device_id", Payloads.Remove, "device_id", "device_id is required" },
        { "device_id", "\"\"", "device_id", "device_id must be 1 to 64 characters" },
        { "device_id", "\"" + new string('d', 65) + "\"", "device_id", "device_id must be 1 to 64 characters" },
        { "device_id", "\"light/1\"", "device_id", "device_id must be 1 to 64 characters" },
        { "device_id", "[\"light_1\"]", "device_id", "device_id must be a JSON string, not an array" },
        { "classroom", "\"" + new string('c', 65) + "\"", "classroom", "classroom is 65 characters long, over the 64-character limit" },
        { "classroom", "\"CR\\u0001\"", "classroom", "classroom must not contain control characters" },
        { "classroom", "101", "classroom", "classroom must be a JSON string, not a number" },
        { "timestamp", "\"yesterday\"", "timestamp", "timestamp 'yesterday' is not ISO-8601" },
        { "timestamp", "\"2025-11-05T06:12:34\"", "timestamp", "is not ISO-8601 with 'Z' or an offset" },
        { "timestamp", "\"2025-11-05 06:12:34Z\"", "timestamp", "is not ISO-8601" },
        { "timestamp", "\"2025-13-05T06:12:34Z\"", "timestamp", "is not ISO-8601" },
        { "timestamp", "\"\"", "timestamp", "is not ISO-8601" },
        { "timestamp", "1762323154", "timestamp", "timestamp must be a JSON string, not a number" },
        { "power_w", "\"40\"", "power_w", "power_w must be a JSON number, not a string" },
        { "power_w", "true", "power_w", "power_w must be a JSON number, not a boolean" },
        { "power_w", "-1", "power_w", "power_w must be between 0 and 100000 W, got -1" },
        { "power_w", "-0.001", "power_w", "power_w must be between 0 and 100000 W" },
        { "power_w", "100000.01", "power_w", "power_w must be between 0 and 100000 W, got 100000.01" },
        { "power_w", "1e400", "power_w", "power_w 1e400 is out of the decimal range" },
        { "energy_wh_total", "-0.5", "energy_wh_total", "energy_wh_total must be between 0 and 1000000000000 Wh, got -0.5" },
        { "energy_wh_total", "1e13", "energy_wh_total", "energy_wh_total must be between 0 and 1000000000000 Wh" },
        { "energy_wh_total", "\"12345.67\"", "energy_wh_total", "energy_wh_total must be a JSON number, not a string" },
        { "energy_wh_total", "{}", "energy_wh_total", "energy_wh_total must be a JSON number, not an object" },
        { "switch_state", "[]", "switch_state", "switch_state must be a JSON object of booleans, not an array" },
        { "switch_state", "true", "switch_state", "switch_state must be a JSON object of booleans, not a boolean" },
        { "switch_state", "{\"sw1\":1}", "switch_state.sw1", "switch_state.sw1 must be true or false, not a number" },
        { "switch_state", "{\"sw1\":\"on\"}", "switch_state.sw1", "switch_state.sw1 must be true or false, not a string" },
        { "switch_state", "{\"sw1\":null}", "switch_state.sw1", "switch_state.sw1 must be true or false, not null" },
        { "switch_state", "{\"sw 1\":true}", "switch_state", "switch_state key must be 1 to 64 characters" },
        { "switch_state", "{\"\":true}", "switch_state", "switch_state key must be 1 to 64 characters" },
        { "switch_state", "{\"a\":true,\"a\":false}", "switch_state.a", "duplicate key 'switch_state.a'" },
        { "switch_state", "{" + string.Join(",", Enumerable.Range(1, 17).Select(i => $"\"s{i}\":true")) + "}", "switch_state", "switch_state has more than 16 keys" },
        { "switch_key", "\"sw 1\"", "switch_key", "switch_key must be 1 to 64 characters" },
        { "switch_key", "1", "switch_key", "switch_key must be a JSON string, not a number" },
        { "uptime_seconds", "-1", "uptime_seconds", "uptime_seconds must be between 0 and 631152000 s, got -1" },
        { "uptime_seconds", "631152001", "uptime_seconds", "uptime_seconds must be between 0 and 631152000 s" },
        { "uptime_seconds", "1.5", "uptime_seconds", "uptime_seconds must be a whole number, got 1.5" },
        { "uptime_seconds", "\"86400\"", "uptime_seconds", "uptime_seconds must be a JSON number, not a string" },
        { "status", "\"sleeping\"", "status", "status must be 'online' or 'offline', got 'sleeping'" },
        { "status", "\" online\"", "status", "status must be 'online' or 'offline'" },
        { "status", "1", "status", "status must be a JSON string, not a number" },
        { "sequence_no", "-1", "sequence_no", "sequence_no must be between 0 and 9223372036854775807, got -1" },
        { "sequence_no", "1e20", "sequence_no", "sequence_no must be between 0 and 9223372036854775807, got 1e20" },
        { "sequence_no", "1e30", "sequence_no", "sequence_no 1e30 is out of the decimal range" },
        { "sequence_no", "2.5", "sequence_no", "sequence_no must be a whole number" },
        { "firmware_ver", "\"" + new string('v', 65) + "\"", "firmware_ver", "firmware_ver is 65 characters long, over the 64-character limit" },
        { "firmware_ver", "\"v2\\n\"", "firmware_ver", "firmware_ver must not contain control characters" },
        { "wifi_rssi", "1", "wifi_rssi", "wifi_rssi must be between -127 and 0 dBm, got 1" },
        { "wifi_rssi", "-128", "wifi_rssi", "wifi_rssi must be between -127 and 0 dBm, got -128" },
        { "wifi_rssi", "-45.5", "wifi_rssi", "wifi_rssi must be a whole number" },
        { "boot_id", "\"\"", "boot_id", "boot_id must be 1 to 64 characters" },
        { "boot_id", "\"7f3a…\"", "boot_id", "boot_id must be 1 to 64 characters" },
        { "boot_id", "false", "boot_id", "boot_id must be a JSON string, not a boolean" },
        { "classroom", "\"CR\\ud800\"", "classroom", "classroom contains an invalid \\u escape (unpaired surrogate)" },
        { "switch_state", "{\"sw\\udc00\":true}", "switch_state", "a switch_state key contains an invalid \\u escape" },
    };

    [Theory]
    [MemberData(nameof(FieldRejections))]
    public void Parse_InvalidField_RejectedNamingField(string key, string raw, string field, string reason)
    {
        var result = Parse(Payloads.With((key, raw)));

        Assert.False(result.IsAccepted, $"accepted {key}={raw}");
        Assert.Equal(field, result.Rejection.Field);
        Assert.Contains(reason, result.Rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NeitherPowerNorEnergy_Rejected()
    {
        var result = Parse(Payloads.With(("power_w", Payloads.Remove), ("energy_wh_total", "null")));

        Assert.False(result.IsAccepted);
        Assert.Equal("at least one of power_w and energy_wh_total is required", result.Rejection.Reason);
        Assert.Equal("power_w", result.Rejection.Field);
    }

    [Fact]
    public void Parse_TopicBoardDiffers_RejectedAsMismatch()
    {
        var result = Parse(Payloads.With(), board: "ESP02");

        Assert.False(result.IsAccepted);
        Assert.Equal("esp32_name", result.Rejection.Field);
        Assert.StartsWith("topic/payload mismatch", result.Rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralFaults_FirstInFieldOrderReported()
    {
        var result = Parse(Payloads.With(("wifi_rssi", "5"), ("power_w", "-1")));

        Assert.Equal("power_w", result.Rejection?.Field);
    }

    public static TheoryData<byte[], string> PayloadRejections => new()
    {
        { [], "payload is empty" },
        { Payloads.Utf8(Payloads.With(("padding", "\"" + new string('x', 16 * 1024) + "\""))), "over the 16384-byte limit" },
        { [.. "{\"esp32_name\":\"ESP01\",\"x\":\""u8, 0xC3, 0x28, .. "\"}"u8], "payload is not valid UTF-8" },
        { [0xFF, 0xFE, (byte)'{', (byte)'}'], "payload is not valid UTF-8" },
        { Payloads.Utf8("{"), "payload is not valid JSON (line 1" },
        { Payloads.Utf8("online"), "payload is not valid JSON" },
        { Payloads.Utf8(Payloads.With() + "{}"), "payload is not valid JSON" },
        { Payloads.Utf8("// comment\n" + Payloads.With()), "payload is not valid JSON" },
        { Payloads.Utf8("{\"power_w\":40,}"), "payload is not valid JSON" },
        { Payloads.Utf8("{\"power_w\":NaN}"), "payload is not valid JSON" },
        { Payloads.Utf8("{\"power_w\":Infinity}"), "payload is not valid JSON" },
        { Payloads.Utf8(new string('[', 1000) + new string(']', 1000)), "payload is not valid JSON" },
        { Payloads.Utf8("[1,2]"), "payload must be a JSON object, not an array" },
        { Payloads.Utf8("{\"\\ud800\":1}"), "a key contains an invalid \\u escape (unpaired surrogate)" },
        { Payloads.Utf8("\"hello\""), "payload must be a JSON object, not a string" },
        { Payloads.Utf8("null"), "payload must be a JSON object, not null" },
        { Payloads.Utf8("{\"power_w\":1,\"power_w\":2,\"esp32_name\":\"ESP01\",\"device_id\":\"d\"}"), "duplicate key 'power_w'" },
    };

    [Theory]
    [MemberData(nameof(PayloadRejections))]
    public void Parse_InvalidPayload_Rejected(byte[] payload, string reason)
    {
        var result = TelemetryParser.Parse(payload, Payloads.Board, ReceivedAt, ClockRules.Default);

        Assert.False(result.IsAccepted);
        Assert.Contains(reason, result.Rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PayloadAtSizeLimit_Accepted()
    {
        var json = Payloads.With(("padding", "\"\""));
        json = Payloads.With(("padding", "\"" + new string('x', TelemetryLimits.MaxPayloadBytes - json.Length) + "\""));
        Assert.Equal(TelemetryLimits.MaxPayloadBytes, Payloads.Utf8(json).Length);

        var result = Parse(json);

        Assert.True(result.IsAccepted, result.ToString());
    }

    [Fact]
    public void Parse_RejectedResult_ValueThrowsWithReason()
    {
        var result = Parse("[]");

        var ex = Assert.Throws<InvalidOperationException>(() => result.Value);
        Assert.Contains("not an array", ex.Message, StringComparison.Ordinal);
        Assert.False(result.TryGetValue(out _, out var rejection));
        Assert.NotNull(rejection);
    }
}
