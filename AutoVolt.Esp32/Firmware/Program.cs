using System;
using System.Device.Gpio;
using System.Threading;
using AutoVolt.Esp32.Core;
using nanoFramework.Networking;

namespace AutoVolt.Esp32.Firmware;

/// <summary>
/// Board glue: relays (active-low GPIO), wall switches, Wi-Fi + SNTP, flash and MQTT around the
/// portable <see cref="BoardRuntime"/>. Everything that decides what to report lives in Core/.
/// </summary>
public static class Program
{
    private const string FirmwareVersion = "v2.1.0";
    private const int LoopMs = 200;
    private const int PublishTimeoutMs = 5000;
    private const int MaxBackoffMs = 60000;
    private const int BufferCapacity = 200; // ~300 B per reading in RAM: 60 KB worst case
    private static readonly DateTime UnixEpoch = new DateTime(1970, 1, 1);

    public static void Main()
    {
        BoardSettings settings = BoardSettings.Load("I:\\autovolt.cfg");
        var config = new BoardConfig(settings.Name, settings.Classroom, FirmwareVersion);
        var store = new FileNvStore("I:\\autovolt");
        var gpio = new GpioController();
        long boot = Environment.TickCount64;

        int n = settings.DeviceIds.Length;
        var channels = new LoadChannel[n];
        bool[] lastSwitch = new bool[n];
        for (int i = 0; i < n; i++)
        {
            // Active-low relay: drive HIGH (off) before switching the pin to output, so it never clicks at boot.
            gpio.OpenPin(settings.RelayPins[i]);
            gpio.Write(settings.RelayPins[i], PinValue.High);
            gpio.SetPinMode(settings.RelayPins[i], PinMode.Output);
            if (settings.SwitchPins[i] >= 0)
            {
                gpio.OpenPin(settings.SwitchPins[i], PinMode.InputPullUp);
                lastSwitch[i] = gpio.Read(settings.SwitchPins[i]) == PinValue.Low;
            }

            // Persist every 10 Wh or 15 min (and before each report; see EnergyCounter remarks).
            var counter = new EnergyCounter(store, BoardRuntime.CounterKey(i), 10000, 15 * 60000, 0);
            channels[i] = new LoadChannel(settings.DeviceIds[i], settings.RatedWatts[i], settings.RelayPins[i], counter);
        }

        byte[] entropy = new byte[8];
        new Random().NextBytes(entropy); // ESP32: seeded from the hardware RNG
        var identity = new BootIdentity(store, entropy, 100);
        var runtime = new BoardRuntime(config, channels, identity, new BoardClock(), BufferCapacity,
            BoardRuntime.DefaultTelemetryIntervalMs, HeartbeatSchedule.DefaultIntervalMs, 0);
        // wifi_rssi stays at the runtime's default (-60) until an RSSI source is wired: nanoFramework
        // reports RSSI only through a Wi-Fi scan (WifiAdapter.ScanAsync), which stalls the radio.
        var mqtt = new M2MqttTransport(config, settings.BrokerHost, settings.BrokerPort, settings.BrokerTls, settings.MqttPassword);

        long nextConnectMs = 0;
        int backoffMs = 1000;
        while (true)
        {
            long now = Environment.TickCount64 - boot;

            // Wall switches toggle their relay locally, online or not (as the old firmware did).
            for (int i = 0; i < n; i++)
            {
                if (settings.SwitchPins[i] < 0)
                {
                    continue;
                }

                bool pressed = gpio.Read(settings.SwitchPins[i]) == PinValue.Low;
                if (pressed != lastSwitch[i])
                {
                    lastSwitch[i] = pressed;
                    bool on = !channels[i].IsOn;
                    gpio.Write(settings.RelayPins[i], on ? PinValue.Low : PinValue.High);
                    runtime.SetSwitch(i, on, now);
                }
            }

            runtime.Advance(now);

            if (!runtime.Clock.IsSynced && DateTime.UtcNow.Year >= 2020)
            {
                runtime.Clock.Sync((DateTime.UtcNow - UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond, now);
            }

            if (!mqtt.IsConnected && now >= nextConnectMs)
            {
                if (EnsureWifi(settings) && mqtt.Connect())
                {
                    backoffMs = 1000;
                    mqtt.Publish(config.StatusTopic, runtime.BuildOnlineStatus(now), true, PublishTimeoutMs);
                }
                else
                {
                    nextConnectMs = now + backoffMs;
                    backoffMs = backoffMs * 2 > MaxBackoffMs ? MaxBackoffMs : backoffMs * 2;
                }
            }

            string? heartbeat = runtime.TryBuildHeartbeat(now);
            if (mqtt.IsConnected)
            {
                if (heartbeat != null)
                {
                    mqtt.Publish(config.HeartbeatTopic, heartbeat, false, PublishTimeoutMs);
                }

                // Outbox: oldest first; a reading leaves only after PUBACK.
                string? payload;
                while ((payload = runtime.PeekTelemetryPayload()) != null
                    && mqtt.Publish(config.TelemetryTopic, payload, false, PublishTimeoutMs))
                {
                    runtime.ConfirmTelemetrySent();
                }
            }

            Thread.Sleep(LoopMs);
        }
    }

    private static bool EnsureWifi(BoardSettings settings)
    {
        if (WifiNetworkHelper.Status == NetworkHelperStatus.NetworkIsReady)
        {
            return true;
        }

        // requiresDateTime: also waits for SNTP, so timestamps are valid from the first report on a good day.
        var cts = new CancellationTokenSource(15000);
        return WifiNetworkHelper.ConnectDhcp(settings.WifiSsid, settings.WifiPassword, requiresDateTime: true, token: cts.Token);
    }
}
