using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace AutoVolt.Web.Tests.Support;

/// <summary>A board-like MQTT publisher (QoS 1) for tests.</summary>
public sealed class MqttTestClient : IAsyncDisposable
{
    private readonly IMqttClient _client;

    private MqttTestClient(IMqttClient client) => _client = client;

    public static async Task<MqttTestClient> ConnectAsync(int port, string clientId, MqttProtocolVersion version = MqttProtocolVersion.V500,
        string? userName = null, string? password = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId)
            .WithProtocolVersion(version).WithTimeout(TimeSpan.FromSeconds(10));
        if (userName is not null)
        {
            options = options.WithCredentials(userName, password ?? "");
        }
        try
        {
            var result = await client.ConnectAsync(options.Build());
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new MqttConnectRefusedException(result.ResultCode);
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }
        return new MqttTestClient(client);
    }

    /// <summary>Connects and returns the broker's CONNACK code (the connection is closed again).</summary>
    public static async Task<MqttClientConnectResultCode> ConnectCodeAsync(int port, string clientId, string? userName = null, string? password = null,
        MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        try
        {
            await using var c = await ConnectAsync(port, clientId, version, userName, password);
            return MqttClientConnectResultCode.Success;
        }
        catch (MqttConnectRefusedException ex)
        {
            return ex.Code;
        }
    }

    public bool IsConnected => _client.IsConnected;

    public Task<MqttClientPublishResult> PublishAsync(string topic, string payload, bool retain = false,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, CancellationToken ct = default) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(qos).WithRetainFlag(retain).Build(), ct);

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }
        _client.Dispose();
    }

    /// <summary>A DESIGN.md section 2 telemetry payload.</summary>
    public static string Telemetry(string board, string device, DateTimeOffset ts, decimal? energyWh, decimal powerW, long seq,
        bool on = true, string classroom = "CR-101", string bootId = "boot-1", long uptime = 86400) =>
        "{" + string.Join(",", new[]
        {
            $"\"esp32_name\":\"{board}\"", $"\"classroom\":\"{classroom}\"", $"\"device_id\":\"{device}\"",
            $"\"timestamp\":\"{ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}\"",
            string.Create(CultureInfo.InvariantCulture, $"\"power_w\":{powerW}"),
            energyWh is null ? null : string.Create(CultureInfo.InvariantCulture, $"\"energy_wh_total\":{energyWh}"),
            $"\"switch_state\":{{\"{device}\":{(on ? "true" : "false")}}}",
            string.Create(CultureInfo.InvariantCulture, $"\"uptime_seconds\":{uptime}"), "\"status\":\"online\"",
            string.Create(CultureInfo.InvariantCulture, $"\"sequence_no\":{seq}"), "\"firmware_ver\":\"v2.0.0\"", "\"wifi_rssi\":-45",
            $"\"boot_id\":\"{bootId}\"",
        }.Where(s => s is not null)) + "}";
}

/// <summary>The broker answered CONNECT with a failure code.</summary>
public sealed class MqttConnectRefusedException(MqttClientConnectResultCode code) : Exception($"connection refused: {code}")
{
    public MqttClientConnectResultCode Code { get; } = code;
}
