using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AutoVolt.Esp32.Core;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace AutoVolt.Esp32.Simulator;

/// <summary>
/// One simulated ESP32: the firmware's <see cref="BoardRuntime"/> driven by a class timetable and
/// fault injection, over its own MQTTnet connection (client id and user name = board name, QoS 1,
/// retained Last Will <c>offline</c> on <c>autovolt/&lt;name&gt;/status</c>).
/// </summary>
public sealed class SimulatedBoard : IAsyncDisposable
{
    private const long Second = 1000;
    private const long Minute = 60 * Second;
    private const int SequenceBlock = 100;
    /// <summary>Each simulated energy counter is written to flash at least once per this much new energy (10 Wh), besides before every reported reading.</summary>
    public const long PersistEveryMilliWh = 10_000;
    private const long PersistEveryMs = 15 * Minute;
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(10);

    private readonly FleetOptions _options;
    private readonly FleetStats _stats;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly MemoryNvStore _store = new();
    private readonly ClassTimetable _timetable;
    private readonly BoardConfig _config;
    private readonly MqttClientFactory _factory = new();
    private IMqttClient _client;
    private readonly bool[] _desired;
    private BoardRuntime? _runtime;
    private long _powerOnUnixMs;
    private long _syncAtUnixMs;
    private long _downUntilUnixMs;
    private long _wifiDownUntilUnixMs;
    private long _lastUnixMs;
    private long _droppedSeen;
    private TelemetryReading? _heldBack;
    private int _bootNumber;
    private readonly long[] _counterSeen;
    private readonly Dictionary<long, long[]> _truthAtMono = [];
    private int _flapChannel = -1;
    private int _flapsLeft;
    private long _nextFlapUnixMs;
    private bool _online;
    private DateTimeOffset _nextConnectAttempt;
    private TimeSpan _backoff = InitialBackoff;

    internal SimulatedBoard(int index, FleetOptions options, FleetStats stats, TimeProvider time)
    {
        _options = options;
        _stats = stats;
        _time = time;
        _random = new Random(unchecked((options.Seed * 31) + index + 1));
        Name = "ESP" + (index + 1).ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
        Classroom = "CR-" + (101 + index).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Loads = CreateLoads(_random);
        _config = new BoardConfig(Name, Classroom, options.FirmwareVersion);
        var kinds = new LoadKind[Loads.Count];
        for (int i = 0; i < kinds.Length; i++)
        {
            kinds[i] = Loads[i].Kind;
        }

        _desired = new bool[Loads.Count];
        _counterSeen = new long[Loads.Count];
        _timetable = new ClassTimetable(options.Seed, index, kinds, options.SiteUtcOffset, options.ClassesAroundTheClock);
        _client = _factory.CreateMqttClient();
    }

    /// <summary>Board name (ESP01..), also its MQTT client id and user name.</summary>
    public string Name { get; }

    /// <summary>Classroom (CR-101..).</summary>
    public string Classroom { get; }

    /// <summary>The board's loads in relay order.</summary>
    public IReadOnlyList<SimulatedLoad> Loads { get; }

    /// <summary>Readings still in the outbox (or held back) when the board stopped; 0 after a drained stop.</summary>
    public int UnsentReadings => (_runtime?.Buffer.Count ?? 0) + (_heldBack is null ? 0 : 1);

    /// <summary>Runs the board until <paramref name="ct"/> is cancelled, then shuts down cleanly.</summary>
    internal async Task RunAsync(SimulationClock clock, CancellationToken ct)
    {
        TimeSpan tick = TimeSpan.FromMilliseconds(Math.Clamp(1000.0 / _options.TimeScale, 50, 500));
        try
        {
            // Stagger power-on so a fleet does not connect in one burst.
            await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(0, 300)), _time, ct).ConfigureAwait(false);
            _lastUnixMs = clock.NowUnixMs();
            Boot(_lastUnixMs);
            while (!ct.IsCancellationRequested)
            {
                await StepAsync(Math.Max(clock.NowUnixMs(), _lastUnixMs), ct).ConfigureAwait(false);
                await Task.Delay(tick, _time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // normal stop
        }

        await ShutdownAsync(Math.Max(clock.NowUnixMs(), _lastUnixMs)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task StepAsync(long now, CancellationToken ct)
    {
        double hours = (now - _lastUnixMs) / 3_600_000.0;
        _lastUnixMs = now;
        _stats.SetSimulatedTime(now);
        if (_runtime is null)
        {
            if (now >= _downUntilUnixMs)
            {
                Boot(now);
            }

            return;
        }

        BoardRuntime runtime = _runtime;
        long mono = now - _powerOnUnixMs;
        if (!runtime.Clock.IsSynced && now >= _syncAtUnixMs)
        {
            runtime.Clock.Sync(now, mono);
        }

        if (Roll(_options.RebootProbabilityPerHour * hours))
        {
            Reboot(now);
            return;
        }

        if (now >= _wifiDownUntilUnixMs && Roll(_options.WifiLossProbabilityPerHour * hours))
        {
            _stats.AddWifiLoss();
            _wifiDownUntilUnixMs = now + _random.NextInt64(30 * Second, 10 * Minute);
            DropConnection();
        }

        if (_flapsLeft == 0 && Roll(_options.BurstProbabilityPerHour * hours))
        {
            _stats.AddBurst();
            _flapChannel = _random.Next(0, Loads.Count);
            _flapsLeft = _random.Next(4, 11);
            _nextFlapUnixMs = now;
        }

        ApplySwitches(runtime, now, mono);
        runtime.Advance(mono);
        ObserveTruth(runtime, mono);
        UpdateSensors(runtime);
        runtime.WifiRssi = Math.Clamp(runtime.WifiRssi + _random.Next(-2, 3), -90, -35);
        long dropped = runtime.Buffer.Dropped;
        if (dropped > _droppedSeen)
        {
            _stats.AddDropped(dropped - _droppedSeen);
            _droppedSeen = dropped;
        }

        if (now >= _wifiDownUntilUnixMs && !_client.IsConnected && _time.GetUtcNow() >= _nextConnectAttempt)
        {
            await TryConnectAsync(runtime, mono, ct).ConfigureAwait(false);
        }

        if (_client.IsConnected)
        {
            await SendAsync(runtime, mono, ct).ConfigureAwait(false);
        }
        else
        {
            SetOnline(false);
            runtime.TryBuildHeartbeat(mono); // a heartbeat missed while offline is not sent later
        }
    }

    private void ApplySwitches(BoardRuntime runtime, long now, long mono)
    {
        _timetable.Desired(now, _desired);
        if (_flapsLeft > 0)
        {
            if (now >= _nextFlapUnixMs)
            {
                _flapsLeft--;
                _nextFlapUnixMs = now + _random.NextInt64(1 * Second, 4 * Second);
                _desired[_flapChannel] = !runtime.Channels[_flapChannel].IsOn;
            }
            else
            {
                _desired[_flapChannel] = runtime.Channels[_flapChannel].IsOn;
            }
        }

        for (int ch = 0; ch < _desired.Length; ch++)
        {
            if (runtime.SetSwitch(ch, _desired[ch], mono))
            {
                _stats.AddSwitchChange();
            }
        }
    }

    private void UpdateSensors(BoardRuntime runtime)
    {
        for (int ch = 0; ch < Loads.Count; ch++)
        {
            if (Loads[ch].HasSensor)
            {
                double noise = 1 + ((_random.NextDouble() - 0.5) * 0.06);
                runtime.Channels[ch].SetMeasuredPower(Math.Round(Loads[ch].RatedWatts * noise, 1));
            }
        }
    }

    private void Boot(long now)
    {
        _powerOnUnixMs = now;
        byte[] entropy = new byte[8];
        _random.NextBytes(entropy);
        var identity = new BootIdentity(_store, entropy, SequenceBlock);
        var channels = new LoadChannel[Loads.Count];
        for (int i = 0; i < channels.Length; i++)
        {
            var counter = new EnergyCounter(_store, BoardRuntime.CounterKey(i), PersistEveryMilliWh, PersistEveryMs, 0);
            channels[i] = new LoadChannel(Loads[i].DeviceId, Loads[i].RatedWatts, Loads[i].RelayPin, counter);
        }

        var runtime = new BoardRuntime(
            _config,
            channels,
            identity,
            new BoardClock(),
            _options.OfflineBufferCapacity,
            _options.PublishIntervalSeconds * Second,
            _options.HeartbeatIntervalSeconds * Second,
            0);
        runtime.WifiRssi = _random.Next(-75, -45);
        _syncAtUnixMs = Roll(_options.UnsyncedClockAtBootProbability) ? now + _random.NextInt64(30 * Second, 5 * Minute) : now;
        if (_syncAtUnixMs <= now)
        {
            runtime.Clock.Sync(now, 0);
        }

        _droppedSeen = 0;
        _bootNumber++;
        _truthAtMono.Clear();
        for (int i = 0; i < channels.Length; i++)
        {
            long restored = CounterMicrojoules(channels[i].Counter);
            if (_options.RecordPublishedReadings)
            {
                Loads[i].AddBoot(new LoadBoot(_bootNumber, now, channels[i].Counter.Restored, restored, _counterSeen[i], Loads[i].TrueEnergyMicrojoules));
            }

            _counterSeen[i] = restored;
        }

        _runtime = runtime;
    }

    private void Reboot(long now)
    {
        bool counterLost = Roll(_options.CounterLossOnRebootProbability);
        _stats.AddReboot(counterLost);
        DropConnection();
        int lost = (_runtime?.Buffer.Count ?? 0) + (_heldBack is null ? 0 : 1);
        _stats.AddLostOnReboot(lost);
        _runtime = null;
        _heldBack = null;
        _flapsLeft = 0;
        if (counterLost)
        {
            _store.Erase();
        }

        _downUntilUnixMs = now + _random.NextInt64(5 * Second, 60 * Second);
    }

    private async Task TryConnectAsync(BoardRuntime runtime, long mono, CancellationToken ct)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.BrokerHost, _options.BrokerPort)
            .WithClientId(Name)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(NetworkTimeout)
            .WithWillTopic(_config.StatusTopic)
            .WithWillPayload(PayloadBuilder.OfflineWill)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        string user = _options.Username ?? Name;
        string? password = _options.PasswordForBoard is { } lookup ? lookup(Name) : _options.Password;
        builder = builder.WithCredentials(user, password ?? string.Empty);
        if (_options.UseTls)
        {
            builder = builder.WithTlsOptions(o => o.UseTls());
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(NetworkTimeout);
            MqttClientConnectResult result = await _client.ConnectAsync(builder.Build(), timeout.Token).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                ConnectFailed();
                return;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            ConnectFailed();
            return;
        }

        _stats.AddConnect();
        _backoff = InitialBackoff;
        SetOnline(true);
        if (await PublishAsync(_config.StatusTopic, runtime.BuildOnlineStatus(mono), retain: true, ct).ConfigureAwait(false))
        {
            _stats.AddStatus();
        }
    }

    private void ConnectFailed()
    {
        _stats.AddConnectFailure();
        double jitter = 0.75 + (_random.NextDouble() * 0.5);
        _nextConnectAttempt = _time.GetUtcNow() + (_backoff * jitter);
        _backoff = _backoff * 2 > MaxBackoff ? MaxBackoff : _backoff * 2;
    }

    private async Task SendAsync(BoardRuntime runtime, long mono, CancellationToken ct)
    {
        string? heartbeat = runtime.TryBuildHeartbeat(mono);
        if (heartbeat is not null && await PublishAsync(_config.HeartbeatTopic, heartbeat, retain: false, ct).ConfigureAwait(false))
        {
            _stats.AddHeartbeat();
        }

        await DrainAsync(runtime, allowReorder: true, ct).ConfigureAwait(false);
    }

    /// <summary>Publishes the outbox in order (QoS 1), with the reorder and duplicate faults; false at the first failure.</summary>
    private async Task<bool> DrainAsync(BoardRuntime runtime, bool allowReorder, CancellationToken ct)
    {
        TelemetryReading? head;
        while (_client.IsConnected && (head = runtime.Buffer.PeekFirst()) is not null)
        {
            if (allowReorder && _heldBack is null && runtime.Buffer.Count >= 2 && Roll(_options.ReorderProbability))
            {
                _heldBack = head;
                runtime.ConfirmTelemetrySent();
                continue;
            }

            string payload = runtime.Payloads.BuildTelemetry(head, runtime.Clock);
            if (!await PublishTelemetryAsync(payload, ct).ConfigureAwait(false))
            {
                return false;
            }

            runtime.ConfirmTelemetrySent();
            RecordPublished(head, payload);
            if (Roll(_options.DuplicatePublishProbability) && await PublishTelemetryAsync(payload, ct).ConfigureAwait(false))
            {
                _stats.AddDuplicate();
            }

            if (!await SendHeldBackAsync(runtime, ct).ConfigureAwait(false))
            {
                return false;
            }
        }

        return await SendHeldBackAsync(runtime, ct).ConfigureAwait(false) && runtime.Buffer.Count == 0;
    }

    private async Task<bool> SendHeldBackAsync(BoardRuntime runtime, CancellationToken ct)
    {
        if (_heldBack is null)
        {
            return true;
        }

        // Built when sent (as every payload is), so a reading held back across the NTP sync still gets its capture time.
        string payload = runtime.Payloads.BuildTelemetry(_heldBack, runtime.Clock);
        if (!_client.IsConnected || !await PublishTelemetryAsync(payload, ct).ConfigureAwait(false))
        {
            return false;
        }

        RecordPublished(_heldBack, payload);
        _stats.AddReordered();
        _heldBack = null;
        return true;
    }

    private void ObserveTruth(BoardRuntime runtime, long mono)
    {
        long[] truth = new long[Loads.Count];
        for (int ch = 0; ch < Loads.Count; ch++)
        {
            long counter = CounterMicrojoules(runtime.Channels[ch].Counter);
            Loads[ch].AddTrueEnergy(counter - _counterSeen[ch]);
            _counterSeen[ch] = counter;
            truth[ch] = Loads[ch].TrueEnergyMicrojoules;
        }

        if (!_options.RecordPublishedReadings)
        {
            return;
        }

        _truthAtMono[mono] = truth;

        // Keep only what a reading still waiting to be sent may need.
        long oldest = Math.Min(runtime.Buffer.PeekFirst()?.MonotonicMs ?? mono, _heldBack?.MonotonicMs ?? mono);
        if (_truthAtMono.Count > 64)
        {
            foreach (long key in new List<long>(_truthAtMono.Keys))
            {
                if (key < oldest)
                {
                    _truthAtMono.Remove(key);
                }
            }
        }
    }

    private void RecordPublished(TelemetryReading reading, string payload)
    {
        if (!_options.RecordPublishedReadings)
        {
            return;
        }

        // Every capture happens in a step after the counters were integrated to that step's time.
        long truth = _truthAtMono.TryGetValue(reading.MonotonicMs, out long[]? atCapture) ? atCapture[reading.Channel] : -1;
        Loads[reading.Channel].AddPublished(new PublishedReading(
            _bootNumber,
            reading.BootId,
            reading.SequenceNo,
            reading.EnergyMilliWh,
            _powerOnUnixMs + reading.MonotonicMs,
            truth,
            payload.Contains("\"timestamp\"", StringComparison.Ordinal)));
    }

    private static long CounterMicrojoules(EnergyCounter counter) =>
        (counter.TotalMilliWh * EnergyCounter.MicrojoulesPerMilliWh) + counter.RemainderMicrojoules;

    private async Task<bool> PublishTelemetryAsync(string payload, CancellationToken ct)
    {
        if (!await PublishAsync(_config.TelemetryTopic, payload, retain: false, ct).ConfigureAwait(false))
        {
            return false;
        }

        _stats.AddTelemetry();
        if (!payload.Contains("\"timestamp\"", StringComparison.Ordinal))
        {
            _stats.AddUnsyncedTelemetry();
        }

        return true;
    }

    private async Task<bool> PublishAsync(string topic, string payload, bool retain, CancellationToken ct)
    {
        MqttApplicationMessage message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(NetworkTimeout);
            MqttClientPublishResult result = await _client.PublishAsync(message, timeout.Token).ConfigureAwait(false);
            if (result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // connection lost mid-publish: the reading stays in the outbox
        }

        _stats.AddPublishFailure();
        return false;
    }

    /// <summary>
    /// Ends the connection as a lost link or power cut does: the socket closes without DISCONNECT,
    /// so the broker publishes the Last Will. (Disconnect reason 0x04 "with will" would be simpler,
    /// but MQTTnet's server, the embedded broker, ignores it; mosquitto honours both.)
    /// </summary>
    private void DropConnection()
    {
        SetOnline(false);
        _client.Dispose();
        _client = _factory.CreateMqttClient();
    }

    private async Task ShutdownAsync(long now)
    {
        BoardRuntime? runtime = _runtime;
        if (runtime is not null)
        {
            long mono = now - _powerOnUnixMs;
            runtime.Shutdown(mono);
            ObserveTruth(runtime, mono);
            if (_options.StopDrainTimeout > TimeSpan.Zero)
            {
                await DrainOnStopAsync(runtime, mono).ConfigureAwait(false);
            }

            if (_client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await PublishAsync(_config.StatusTopic, PayloadBuilder.BuildOffline(runtime.Clock.ToUnixMs(mono)), retain: true, timeout.Token).ConfigureAwait(false);
                    await _client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // best effort
                }
            }
        }

        SetOnline(false);
    }

    /// <summary>
    /// Clean stop with <see cref="FleetOptions.StopDrainTimeout"/>: the link comes back if it was down (a Wi-Fi
    /// fault ends with the run) and the whole outbox is published, in order, before the board goes offline.
    /// </summary>
    private async Task DrainOnStopAsync(BoardRuntime runtime, long mono)
    {
        using var timeout = new CancellationTokenSource(_options.StopDrainTimeout);
        try
        {
            while (runtime.Buffer.Count > 0 || _heldBack is not null)
            {
                if (!_client.IsConnected)
                {
                    await TryConnectAsync(runtime, mono, timeout.Token).ConfigureAwait(false);
                }

                if (_client.IsConnected && await DrainAsync(runtime, allowReorder: false, timeout.Token).ConfigureAwait(false))
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), _time, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // gave up: UnsentReadings says how many stayed behind
        }
    }

    private void SetOnline(bool online)
    {
        if (_online != online)
        {
            _online = online;
            _stats.BoardOnline(online);
        }
    }

    private bool Roll(double probability) => probability > 0 && _random.NextDouble() < probability;

    private static List<SimulatedLoad> CreateLoads(Random random)
    {
        int[] pins = [16, 17, 18, 19, 21, 22];
        bool sensor = random.NextDouble() < 0.5;
        var kinds = new List<LoadKind> { LoadKind.Light, LoadKind.Light, LoadKind.Fan, LoadKind.Fan };
        if (random.NextDouble() < 0.5)
        {
            kinds.Add(LoadKind.AirConditioner);
        }

        if (random.NextDouble() < 0.7)
        {
            kinds.Add(LoadKind.Projector);
        }

        while (kinds.Count < pins.Length && random.NextDouble() < 0.5)
        {
            kinds.Insert(0, LoadKind.Light);
        }

        var loads = new List<SimulatedLoad>(kinds.Count);
        int lights = 0, fans = 0, acs = 0, projectors = 0;
        for (int i = 0; i < kinds.Count; i++)
        {
            (string id, double watts) = kinds[i] switch
            {
                LoadKind.Light => ("light_" + Num(++lights), 40.0),
                LoadKind.Fan => ("fan_" + Num(++fans), 60 + random.Next(0, 16)),
                LoadKind.AirConditioner => ("ac_" + Num(++acs), 1500.0),
                _ => ("projector_" + Num(++projectors), 200.0),
            };
            loads.Add(new SimulatedLoad(id, kinds[i], watts, pins[i], sensor));
        }

        return loads;
    }

    private static string Num(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
