using System.Globalization;
using System.Text.Json;
using AutoVolt.Esp32.Simulator;
using MQTTnet;

namespace AutoVolt.Web.Tests.Esp32;

public sealed class SimulatedFleetIntegrationTests
{
    private static readonly string[] Boards = ["ESP01", "ESP02", "ESP03"];

    // Monday 2025-11-03 10:00 in Asia/Kolkata: inside class hours, so loads switch on.
    private static readonly DateTimeOffset ClassTime = new(2025, 11, 3, 4, 30, 0, TimeSpan.Zero);

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!condition())
        {
            await Task.Delay(50, cts.Token);
        }
    }

    private static int Count(IEnumerable<InProcessBroker.Received> messages, string suffix) =>
        messages.Count(m => m.Topic.EndsWith(suffix, StringComparison.Ordinal));

    [Fact]
    public async Task Fleet_ThreeBoardsAtHighTimeScale_PublishValidTelemetryRetainedOnlineAndIncreasingSequences()
    {
        await using InProcessBroker broker = await InProcessBroker.StartAsync();
        await using TestSubscriber subscriber = await TestSubscriber.ConnectAsync(broker.Port, "test-live");
        var options = new FleetOptions
        {
            BrokerPort = broker.Port,
            Boards = 3,
            TimeScale = 600,
            PublishIntervalSeconds = 10,
            Seed = 3,
            SimulatedStart = ClassTime,
        };
        await using var fleet = new SimulatedFleet(options);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task run = fleet.RunAsync(stop.Token);

        await WaitUntilAsync(
            () => Boards.All(b => subscriber.Messages.Count(m => m.Topic == $"autovolt/{b}/telemetry") >= 20)
                && Count(subscriber.Messages, "/heartbeat") >= 3,
            TimeSpan.FromSeconds(20));
        await using TestSubscriber late = await TestSubscriber.ConnectAsync(broker.Port, "test-late");
        await WaitUntilAsync(() => late.Messages.Count(m => m.Retain && m.Topic.EndsWith("/status", StringComparison.Ordinal)) >= 3, TimeSpan.FromSeconds(5));
        var retainedBeforeStop = late.Messages.ToList();
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        // Topics: per board only, nothing else.
        var all = subscriber.Messages.ToList();
        Assert.All(all, m => Assert.Matches("^autovolt/ESP0[123]/(telemetry|heartbeat|status)$", m.Topic));

        // Retained online status, seen by a subscriber that came later.
        foreach (string board in Boards)
        {
            var retained = retainedBeforeStop.Where(m => m.Topic == $"autovolt/{board}/status" && m.Retain).ToList();
            string status = Assert.Single(retained).Payload;
            Assert.True(status == "online" || JsonDocument.Parse(status).RootElement.GetProperty("status").GetString() == "online", status);
        }

        // Valid telemetry with per-board increasing sequence numbers.
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (string board in Boards)
        {
            var payloads = all.Where(m => m.Topic == $"autovolt/{board}/telemetry").Select(m => JsonDocument.Parse(m.Payload).RootElement).ToList();
            long previous = -1;
            foreach (JsonElement p in payloads)
            {
                Assert.Equal(board, p.GetProperty("esp32_name").GetString());
                Assert.Equal("CR-10" + board[^1], p.GetProperty("classroom").GetString());
                string device = p.GetProperty("device_id").GetString()!;
                Assert.Matches("^(light|fan|ac|projector)_[1-6]$", device);
                Assert.Equal(JsonValueKind.True == p.GetProperty("switch_state").GetProperty(device).ValueKind, p.GetProperty("power_w").GetDecimal() > 0);
                Assert.True(p.GetProperty("energy_wh_total").GetDecimal() >= 0);
                Assert.Matches("^[0-9a-f]{16}$", p.GetProperty("boot_id").GetString()!);
                Assert.Equal("online", p.GetProperty("status").GetString());
                DateTimeOffset ts = DateTimeOffset.ParseExact(p.GetProperty("timestamp").GetString()!, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                Assert.InRange(ts, ClassTime, now);
                long seq = p.GetProperty("sequence_no").GetInt64();
                Assert.True(seq > previous, $"{board}: sequence {seq} after {previous}");
                previous = seq;
            }
        }

        // Heartbeats carry the design fields.
        JsonElement heartbeat = JsonDocument.Parse(all.First(m => m.Topic.EndsWith("/heartbeat", StringComparison.Ordinal)).Payload).RootElement;
        Assert.Equal(
            ["esp32_name", "timestamp", "uptime_seconds", "wifi_rssi", "firmware_ver", "dropped_readings"],
            heartbeat.EnumerateObject().Select(p => p.Name));

        // Each board logged in as itself; a clean stop leaves a retained offline status.
        foreach (string board in Boards)
        {
            Assert.Equal(board, broker.ConnectedUsers[board]);
            var retainedNow = await broker.Server.GetRetainedMessageAsync($"autovolt/{board}/status");
            Assert.Equal("offline", JsonDocument.Parse(retainedNow.ConvertPayloadToString()).RootElement.GetProperty("status").GetString());
        }

        Assert.Equal(0, fleet.Stats.BoardsOnline);
        Assert.True(fleet.Stats.TelemetryPublished >= 60);
        Assert.True(fleet.Stats.SwitchChanges > 0);
        Assert.Contains(all, m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal) && JsonDocument.Parse(m.Payload).RootElement.GetProperty("power_w").GetDecimal() > 0);
    }

    [Fact]
    public async Task Fleet_BrokerDownAtStart_ReconnectsWithBackoffAndReplaysBufferedReadingsInOrder()
    {
        int port = InProcessBroker.FreePort();
        await using InProcessBroker broker = InProcessBroker.Create(port);
        await using var fleet = new SimulatedFleet(new FleetOptions { BrokerPort = port, Boards = 2, TimeScale = 1, PublishIntervalSeconds = 1, Seed = 5 });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task run = fleet.RunAsync(stop.Token);

        await WaitUntilAsync(() => fleet.Stats.ConnectFailures >= 2, TimeSpan.FromSeconds(10));
        DateTimeOffset brokerUp = DateTimeOffset.UtcNow;
        await broker.Server.StartAsync();
        await WaitUntilAsync(() => fleet.Stats.BoardsOnline == 2 && Count(broker.Published, "/telemetry") >= 20, TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        foreach (string board in new[] { "ESP01", "ESP02" })
        {
            var telemetry = broker.Published.Where(m => m.Topic == $"autovolt/{board}/telemetry").Select(m => JsonDocument.Parse(m.Payload).RootElement).ToList();
            long[] seq = telemetry.Select(p => p.GetProperty("sequence_no").GetInt64()).ToArray();
            Assert.Equal(0, seq[0]);
            Assert.Equal(Enumerable.Range(0, seq.Length).Select(i => (long)i), seq); // nothing lost, nothing reordered
            DateTimeOffset firstTimestamp = DateTimeOffset.Parse(telemetry[0].GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
            Assert.True(firstTimestamp < brokerUp, "the first reading was captured while the broker was down and keeps its capture time");
            Assert.All(broker.Published.Where(m => m.ClientId == board), m => Assert.StartsWith($"autovolt/{board}/", m.Topic, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Fleet_WithFaults_NeverReusesASequenceNumberAndSendsTheLastWill()
    {
        await using InProcessBroker broker = await InProcessBroker.StartAsync();
        await using TestSubscriber subscriber = await TestSubscriber.ConnectAsync(broker.Port, "test-faults");
        var options = new FleetOptions
        {
            BrokerPort = broker.Port,
            Boards = 3,
            TimeScale = 1800,
            PublishIntervalSeconds = 10,
            Seed = 11,
            RebootProbabilityPerHour = 1,
            CounterLossOnRebootProbability = 0,
            WifiLossProbabilityPerHour = 1,
            UnsyncedClockAtBootProbability = 0.5,
            DuplicatePublishProbability = 0.05,
            ReorderProbability = 0.05,
            BurstProbabilityPerHour = 1,
        };
        await using var fleet = new SimulatedFleet(options);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task run = fleet.RunAsync(stop.Token);
        await WaitUntilAsync(() => fleet.Stats.Reboots >= 2 && fleet.Stats.WifiLosses >= 2 && fleet.Stats.DuplicatesPublished >= 1, TimeSpan.FromSeconds(20));
        await Task.Delay(300);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        var all = subscriber.Messages.ToList();
        Assert.Contains(all, m => m.Topic.EndsWith("/status", StringComparison.Ordinal) && m.Payload == "offline");
        foreach (var board in all.Where(m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal)).GroupBy(m => m.Topic))
        {
            // A repeated payload is a duplicate publish; a sequence number carried by two different payloads would be reuse.
            var distinct = board.Select(m => m.Payload).Distinct().Select(p => JsonDocument.Parse(p).RootElement).ToList();
            var sequences = distinct.Select(p => p.GetProperty("sequence_no").GetInt64()).ToList();
            Assert.Equal(sequences.Count, sequences.Distinct().Count());

            // Energy of a device never goes backwards across reboots (counters persist before reporting).
            foreach (var device in distinct.GroupBy(p => p.GetProperty("device_id").GetString()))
            {
                var energies = device.OrderBy(p => p.GetProperty("sequence_no").GetInt64()).Select(p => p.GetProperty("energy_wh_total").GetDecimal()).ToList();
                Assert.Equal(energies.Order(), energies);
            }
        }

        Assert.True(all.Where(m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal))
            .Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("boot_id").GetString()).Distinct().Count() > 3);
    }
}
