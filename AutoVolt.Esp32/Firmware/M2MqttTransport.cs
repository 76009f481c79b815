using System;
using System.Text;
using System.Threading;
using AutoVolt.Esp32.Core;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;

namespace AutoVolt.Esp32.Firmware;

/// <summary>
/// MQTT over nanoFramework.M2Mqtt: MQTT 5, client id and user name = board name, its own password,
/// retained Last Will "offline" on autovolt/&lt;name&gt;/status, QoS 1 publishes that wait for PUBACK
/// (a reading leaves the offline buffer only once the broker has it).
/// </summary>
public sealed class M2MqttTransport
{
    private const ushort KeepAliveSeconds = 30;
    private readonly BoardConfig _config;
    private readonly string _host;
    private readonly int _port;
    private readonly bool _tls;
    private readonly string _password;
    private readonly AutoResetEvent _published = new AutoResetEvent(false);
    private MqttClient? _client;
    private int _ackedId = -1;
    private bool _ackOk;

    public M2MqttTransport(BoardConfig config, string host, int port, bool tls, string password)
    {
        _config = config;
        _host = host;
        _port = port;
        _tls = tls;
        _password = password;
    }

    public bool IsConnected
    {
        get { return _client != null && _client.IsConnected; }
    }

    /// <summary>Connects (blocking, a few seconds at most); false on any failure.</summary>
    public bool Connect()
    {
        Close();
        try
        {
            // TLS: the broker's CA goes in the device certificate store (nanoff --certificates) or here.
            MqttClient client = new MqttClient(_host, _port, _tls, null, null, _tls ? MqttSslProtocols.TLSv1_2 : MqttSslProtocols.None);
            client.ProtocolVersion = MqttProtocolVersion.Version_5;
            client.MqttMsgPublished += OnPublished;
            MqttReasonCode code = client.Connect(
                _config.Esp32Name,
                _config.Esp32Name,
                _password,
                true,
                MqttQoSLevel.AtLeastOnce,
                true,
                _config.StatusTopic,
                PayloadBuilder.OfflineWill,
                true,
                KeepAliveSeconds);
            if (code != MqttReasonCode.Success)
            {
                return false;
            }

            _client = client;
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Publishes with QoS 1 and waits for the PUBACK; false on timeout or error.</summary>
    public bool Publish(string topic, string payload, bool retain, int timeoutMs)
    {
        MqttClient? client = _client;
        if (client == null || !client.IsConnected)
        {
            return false;
        }

        try
        {
            // The PUBACK may arrive before Publish returns the id, so compare ids after waking up.
            ushort id = client.Publish(topic, Encoding.UTF8.GetBytes(payload), null, null, MqttQoSLevel.AtLeastOnce, retain);
            long deadline = Environment.TickCount64 + timeoutMs;
            while (_ackedId != id)
            {
                int left = (int)(deadline - Environment.TickCount64);
                if (left <= 0)
                {
                    return false;
                }

                _published.WaitOne(left, false);
            }

            return _ackOk;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Clean disconnect (the Last Will is not sent; publish "offline" before calling).</summary>
    public void Disconnect()
    {
        try
        {
            if (_client != null && _client.IsConnected)
            {
                _client.Disconnect();
            }
        }
        catch (Exception)
        {
        }

        _client = null;
    }

    /// <summary>Drops the connection object (after Wi-Fi loss the socket is already gone).</summary>
    public void Close()
    {
        if (_client != null)
        {
            _client.MqttMsgPublished -= OnPublished;
            _client = null;
        }
    }

    private void OnPublished(object sender, MqttMsgPublishedEventArgs e)
    {
        _ackOk = e.IsPublished;
        _ackedId = e.MessageId;
        _published.Set();
    }
}
