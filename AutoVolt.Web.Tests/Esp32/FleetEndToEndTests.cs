using System.Globalization;
using System.Text;
using AutoVolt.Domain.Ledger;
using AutoVolt.Esp32.Simulator;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ledger;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Xunit.Abstractions;

namespace AutoVolt.Web.Tests.Esp32;

/// <summary>
/// Issue 8's end-to-end proof: a fault-injected simulated fleet (the firmware core over MQTTnet) → embedded
/// broker → ingestion → ledger job → aggregation job, compared per device with what the simulated boards'
/// counters say and with the energy the simulated loads really drew.
/// </summary>
/// <remarks>
/// <para><b>Tolerance rules.</b> Let r₁…rₙ be the readings of a device the broker acknowledged, in capture order,
/// eᵢ their <c>energy_wh_total</c> (whole mWh: the counter carries the fraction below 1 mWh) and T(rᵢ) the energy
/// the load had really drawn at capture (µJ, over all boots, the simulation's ground truth).</para>
/// <list type="number">
/// <item><b>Exact</b>: stored energy (Σ live ledger rows = Σ daily aggregates) = Σ of DESIGN.md's cumulative rule
/// over consecutive pairs: e₂ − e₁ within a boot and across a reboot whose counter survived; e₂ (counted since the
/// restart) when the counter dropped. Dedup, reordering, late replay, re-derivation and splitting at midnight must
/// not change a single µWh of it. Held energy counts towards it and is allowed only on entries flagged
/// <c>clock_invalid</c> (see the test), the one place the server legitimately sees a shortened interval.</item>
/// <item><b>Truth</b>: T(rₙ) − T(r₁) − stored = Σ over reboots between consecutive readings of the energy the
/// server cannot know, computed from the simulation: (a) a power cut between flash writes loses what the counter
/// integrated since its last write — below <see cref="SimulatedBoard.PersistEveryMilliWh"/> (10 Wh), and in fact
/// below the energy since the last reported reading, since every report flushes the counter; (b) a reboot that
/// erased flash restarts the counter at 0, so everything after r₁ until that power-on is lost to the server
/// (≤ P_max × that time), plus e₁ itself when the new counter already exceeds e₁ at its first reading (the server
/// then rightly reads "counter survived"). What remains is the sub-mWh fraction the counter carries: strictly
/// below 1 mWh at the last reading plus 1 mWh per counter reset. (Stored energy here includes held energy.)</item>
/// </list>
/// <para>The server's clock is the simulation's (<see cref="SimulatedFleet.SimulatedNow"/>): at a time scale of
/// 480 a receive time taken from the real clock would place readings sent without a timestamp (unsynced boards)
/// hours after everything else.</para>
/// </remarks>
public sealed class FleetEndToEndTests(FaultyFleetRun run, ITestOutputHelper output) : IClassFixture<FaultyFleetRun>
{
    private const long MicrojoulesPerMilliWh = 3_600_000;

    [Fact]
    public void FaultyFleet_Run_ExercisedEveryFaultAndDrainedEveryOutbox()
    {
        var stats = run.Fleet.Stats;
        output.WriteLine(stats.ToString());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"devices={run.Devices.Count} readings={run.Devices.Sum(d => d.Load.Published.Count)} simulated span={run.SimulatedEnd - run.SimulatedStart}"));
        Assert.True(stats.Reboots >= 1, "reboots");
        Assert.True(stats.CounterLosses >= 1, "reboots that lost the flash counter");
        Assert.True(stats.Reboots > stats.CounterLosses, "reboots that kept the flash counter");
        Assert.True(stats.WifiLosses >= 1, "Wi-Fi losses");
        Assert.True(stats.UnsyncedTelemetry >= 1, "telemetry without timestamp");
        Assert.True(stats.DuplicatesPublished >= 1, "duplicate publishes");
        Assert.True(stats.Reordered >= 1, "reordered publishes");
        Assert.True(stats.Bursts >= 1, "switch bursts");
        Assert.True(run.SimulatedEnd - run.SimulatedStart >= TimeSpan.FromHours(3), "several simulated hours");
        Assert.All(run.Fleet.Boards, b => Assert.Equal(0, b.UnsentReadings));
        Assert.All(run.Devices, d => Assert.All(d.Load.Published, r => Assert.True(r.TrueMicrojoules >= 0, "truth at capture recorded")));
    }

    [Fact]
    public async Task FaultyFleet_EveryDevice_StoredEnergyEqualsTheCounterRuleExactly()
    {
        await using var conn = await run.Db.OpenAsync();
        var ledger = (await conn.QueryAsync<(string Key, decimal Energy, decimal Held)>(
            "SELECT device_key, sum(energy_wh), sum(held_energy_wh) FROM ledger_entries GROUP BY device_key")).ToDictionary(r => r.Key);
        var daily = (await conn.QueryAsync<(string Key, decimal Energy, decimal Cost, decimal Held)>(
            "SELECT device_key, sum(energy_wh), sum(cost), sum(held_energy_wh) FROM daily_aggregates GROUP BY device_key")).ToDictionary(r => r.Key);
        var report = new StringBuilder();
        foreach (var device in run.Devices)
        {
            decimal expected = CounterRuleMilliWh(device.Load.Published) / 1000m;
            var l = ledger.GetValueOrDefault(device.Key);
            var d = daily.GetValueOrDefault(device.Key);
            report.AppendLine(CultureInfo.InvariantCulture, $"{device.Key}: counters {expected} Wh, ledger {l.Energy}, daily {d.Energy}");
            Assert.True(expected == l.Energy + l.Held, $"{device.Key}: ledger {l.Energy} Wh (+ {l.Held} Wh held), counters say {expected} Wh");
            Assert.True(expected == d.Energy + d.Held, $"{device.Key}: daily aggregates {d.Energy} Wh (+ {d.Held} Wh held), counters say {expected} Wh");
            Assert.Equal(l.Held, d.Held);
            Assert.Equal(d.Energy * FaultyFleetRun.RatePerKwh / 1000m, d.Cost);
        }
        Assert.True(run.Devices.Sum(d => CounterRuleMilliWh(d.Load.Published)) > 0, "the fleet consumed energy");

        // The only legitimate hold: a reading sent without timestamp is dated at its receipt, which shortens the
        // interval after it; at this time scale a slow receipt can make a 1.5 kW delta look like more than 5 kW.
        var held = (await conn.QueryAsync<(string Key, decimal Held, int Marks)>(
            "SELECT device_key, held_energy_wh, marks FROM ledger_entries WHERE held_energy_wh <> 0 AND kind = 'posting'")).ToList();
        Assert.All(held, h => Assert.True((h.Marks & (int)EntryMarks.ClockInvalid) != 0, $"{h.Key}: {h.Held} Wh held without clock_invalid"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held postings: {held.Count}, {held.Sum(h => h.Held)} Wh"));
        Assert.Equal(run.Devices.Select(d => d.Key).Order(StringComparer.Ordinal), ledger.Keys.Order(StringComparer.Ordinal));
        output.WriteLine(report.ToString());
    }

    [Fact]
    public async Task FaultyFleet_EveryDevice_TruthMinusStoredIsTheComputedUnknowableEnergyWithinItsBounds()
    {
        await using var conn = await run.Db.OpenAsync();
        // Held energy (clock_invalid only, see the exact test) is recorded, awaiting review, not lost: it counts here.
        var stored = (await conn.QueryAsync<(string Key, decimal Energy)>(
            "SELECT device_key, sum(energy_wh + held_energy_wh) FROM daily_aggregates GROUP BY device_key")).ToDictionary(r => r.Key, r => r.Energy);
        long totalTruth = 0, totalLostAtCut = 0, maxLostAtCut = 0, totalLostAtReset = 0, totalResidual = 0, cuts = 0, resets = 0;
        decimal totalStored = 0;
        foreach (var device in run.Devices)
        {
            var readings = Ordered(device.Load.Published);
            if (readings.Count < 2)
            {
                continue;
            }
            var boots = device.Load.Boots;
            double maxPowerW = (device.Load.RatedWatts * 1.03) + 0.05; // sensor noise ±3 %, 0.1 W resolution
            long unknowable = 0;
            int resetsHere = 0;
            for (int i = 1; i < readings.Count; i++)
            {
                var (r1, r2) = (readings[i - 1], readings[i]);
                if (r1.BootNumber == r2.BootNumber)
                {
                    continue;
                }
                var between = boots.Where(b => b.BootNumber > r1.BootNumber && b.BootNumber <= r2.BootNumber).ToList();
                var erased = between.LastOrDefault(b => !b.CounterRestored);
                foreach (var b in between.Where(b => erased is null || b.BootNumber > erased.BootNumber))
                {
                    // (a) power cut between flash writes: below the flash-write threshold.
                    Assert.InRange(b.LostAtRebootMicrojoules, 0, (SimulatedBoard.PersistEveryMilliWh * MicrojoulesPerMilliWh) - 1);
                    unknowable += b.LostAtRebootMicrojoules;
                    totalLostAtCut += b.LostAtRebootMicrojoules;
                    maxLostAtCut = Math.Max(maxLostAtCut, b.LostAtRebootMicrojoules);
                    cuts++;
                }
                if (erased is not null)
                {
                    // (b) flash erased: the energy after r1 until the power-on that restarted the counter.
                    long tail = erased.TrueMicrojoulesAtPowerOn - r1.TrueMicrojoules;
                    long bound = (long)Math.Ceiling(maxPowerW * 1000 * (erased.PowerOnUnixMs - r1.CaptureUnixMs));
                    Assert.InRange(tail, 0, bound);
                    long ambiguous = r2.EnergyMilliWh >= r1.EnergyMilliWh ? r1.EnergyMilliWh * MicrojoulesPerMilliWh : 0;
                    unknowable += tail + ambiguous;
                    totalLostAtReset += tail + ambiguous;
                    resetsHere++;
                }
            }
            long truth = readings[^1].TrueMicrojoules - readings[0].TrueMicrojoules;
            long storedMicroJ = (long)(stored.GetValueOrDefault(device.Key) * 1000m * MicrojoulesPerMilliWh);
            long residual = truth - storedMicroJ - unknowable;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{device.Key}: truth {truth / 3.6e9:F6} Wh, stored {stored.GetValueOrDefault(device.Key)} Wh, unknowable {unknowable / 3.6e9:F6} Wh, residual {residual / 3.6e6:F3} mWh (bound ±{1 + resetsHere} mWh)"));
            // The counter carries the fraction below 1 mWh: < 1 mWh at the last reading, plus < 1 mWh per reset.
            Assert.InRange(residual, -(resetsHere + 1) * MicrojoulesPerMilliWh + 1, ((resetsHere + 1) * MicrojoulesPerMilliWh) - 1);
            totalTruth += truth;
            totalStored += stored.GetValueOrDefault(device.Key);
            totalResidual += residual;
            resets += resetsHere;
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fleet: truth {totalTruth / 3.6e12:F9} kWh, stored {totalStored / 1000m} kWh, lost at {cuts} power cuts (device × cut) {totalLostAtCut / 3.6e9:F6} Wh (max {maxLostAtCut / 3.6e9:F6} Wh), lost at {resets} counter resets {totalLostAtReset / 3.6e9:F6} Wh, residual {totalResidual / 3.6e6:F3} mWh"));
        Assert.True(resets >= 1, "a counter reset between two published readings was exercised");
    }

    [Fact]
    public async Task FaultyFleet_Duplicates_EveryDistinctReadingStoredOnceAndNothingQuarantined()
    {
        await using var conn = await run.Db.OpenAsync();
        var events = (await conn.QueryAsync<(string Key, long Count)>(
            "SELECT device_key, count(*) FROM telemetry_events GROUP BY device_key")).ToDictionary(r => r.Key, r => r.Count);
        foreach (var device in run.Devices)
        {
            Assert.True(device.Load.Published.Count == events.GetValueOrDefault(device.Key),
                $"{device.Key}: {events.GetValueOrDefault(device.Key)} events for {device.Load.Published.Count} distinct readings sent");
        }
        Assert.Equal(run.Devices.Count(d => d.Load.Published.Count > 0), events.Count);
        var quarantined = (await conn.QueryAsync<string>("SELECT reason || ' ' || topic FROM quarantined_messages")).ToList();
        Assert.Empty(quarantined);
        long unsyncedEvents = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry_events WHERE board_ts = 'epoch'");
        Assert.Equal(run.Devices.Sum(d => d.Load.Published.Count(r => !r.SentWithTimestamp)), unsyncedEvents);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"events {events.Values.Sum()}, telemetry publishes {run.Fleet.Stats.TelemetryPublished}, duplicates {run.Fleet.Stats.DuplicatesPublished}, without timestamp {unsyncedEvents}"));
    }

    [Fact]
    public async Task FaultyFleet_EveryDeviceDay_Invariant2HoldsAndRerunningTheJobsAppendsNothing()
    {
        await using var conn = await run.Db.OpenAsync();
        var mismatches = (await conn.QueryAsync<string>("""
            SELECT coalesce(l.device_key, a.device_key) || ' ' || coalesce(l.local_date, a.local_date)::text FROM
              (SELECT device_key, local_date, sum(energy_wh) e, sum(cost) c, sum(held_energy_wh) h, sum(on_time_sec) o,
                      sum(CASE WHEN kind = 'reversal' THEN -1 ELSE 1 END) n
               FROM ledger_entries GROUP BY device_key, local_date) l
            FULL JOIN daily_aggregates a ON a.device_key = l.device_key AND a.local_date = l.local_date
            WHERE l.local_date IS NULL OR a.local_date IS NULL OR l.e <> a.energy_wh OR l.c <> a.cost OR l.h <> a.held_energy_wh
               OR l.o <> a.on_time_sec OR l.n <> a.entry_count
               OR a.energy_wh <> a.energy_high_wh + a.energy_medium_wh + a.energy_low_wh
            """)).ToList();
        Assert.Empty(mismatches);
        Assert.True(await conn.ExecuteScalarAsync<long>("SELECT count(DISTINCT local_date) FROM daily_aggregates") >= 2, "the run crossed a local midnight");
        Assert.Equal(0L, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_entries WHERE energy_wh < 0 AND kind <> 'reversal'"));

        long before = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_entries");
        await run.AccountAsync();
        Assert.Equal(before, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_entries"));
        var job = run.Factory.Services.GetRequiredService<LedgerJob>();
        foreach (var device in run.Devices.Where(d => d.Load.Published.Count > 0))
        {
            await using var tx = await conn.BeginTransactionAsync();
            Assert.True(await LedgerStore.TryLockDeviceAsync(conn, device.Key, CancellationToken.None));
            int appended = await job.RederiveAsync(conn, device.Key, Instant.FromUtc(2020, 1, 1, 0, 0), long.MaxValue, "test", CancellationToken.None);
            await tx.RollbackAsync();
            Assert.True(appended == 0, $"{device.Key}: re-deriving the whole history appended {appended} rows");
        }
    }

    /// <summary>Readings in capture order: boots in order, sequence numbers increase within a boot.</summary>
    private static List<PublishedReading> Ordered(IEnumerable<PublishedReading> readings) =>
        readings.OrderBy(r => r.BootNumber).ThenBy(r => r.SequenceNo).ToList();

    /// <summary>DESIGN.md's cumulative rule over consecutive readings in capture order, in mWh.</summary>
    private static long CounterRuleMilliWh(IEnumerable<PublishedReading> published)
    {
        var readings = Ordered(published);
        long total = 0;
        for (int i = 1; i < readings.Count; i++)
        {
            var (r1, r2) = (readings[i - 1], readings[i]);
            if (r1.BootNumber == r2.BootNumber)
            {
                Assert.True(r2.EnergyMilliWh >= r1.EnergyMilliWh, "a counter never goes down within a boot");
            }
            total += r2.EnergyMilliWh >= r1.EnergyMilliWh ? r2.EnergyMilliWh - r1.EnergyMilliWh : r2.EnergyMilliWh;
        }
        return total;
    }
}

/// <summary>
/// One run shared by <see cref="FleetEndToEndTests"/>: the real app (embedded broker, fresh DB, site Asia/Kolkata,
/// 8 INR/kWh) whose clock is the simulation's, and 4 boards with every fault on, ~4 simulated hours across a local
/// midnight in ~30 s, stopped with drained outboxes; then the ledger and aggregation jobs until nothing is pending.
/// </summary>
public sealed class FaultyFleetRun : IAsyncLifetime
{
    public const decimal RatePerKwh = 8m;
    private static readonly TimeSpan RunFor = TimeSpan.FromSeconds(30);
    private readonly SimulationClockAdapter _clock;

    public FaultyFleetRun()
    {
        // 22:00 IST before the latest local midnight at least 6 h ago: ~4 simulated hours cross that midnight and
        // end at least 4 h before now, whatever the time of day the test runs.
        var ist = TimeSpan.FromMinutes(330);
        var midnight = new DateTimeOffset(DateTimeOffset.UtcNow.ToOffset(ist).AddHours(-6).Date, ist);
        SimulatedStart = midnight.AddHours(-2).ToUniversalTime();
        _clock = new SimulationClockAdapter(SimulatedStart);
        Factory = new SimulatedClockAppFactory(_clock);
        Factory.With("Site:TimeZone", "Asia/Kolkata").With("Site:Currency", "INR");
    }

    public SimulatedClockAppFactory Factory { get; }

    public SimulatedFleet Fleet { get; private set; } = null!;

    public DateTimeOffset SimulatedStart { get; }

    public DateTimeOffset SimulatedEnd { get; private set; }

    public IReadOnlyList<(string Key, SimulatedLoad Load)> Devices { get; private set; } = [];

    public AutoVoltDatabase Db => Factory.Services.GetRequiredService<AutoVoltDatabase>();

    public async Task InitializeAsync()
    {
        _ = Factory.Server;
        await using (var conn = await Db.OpenAsync())
        {
            await conn.ExecuteAsync("""
                INSERT INTO cost_versions (cost_per_kwh, currency, effective_from, effective_at, scope, created_at)
                VALUES (@rate, 'INR', '2020-01-01T00:00'::timestamp, ('2020-01-01T00:00'::timestamp AT TIME ZONE 'Asia/Kolkata'), 'global', now())
                """, new { rate = RatePerKwh });
        }
        var options = new FleetOptions
        {
            BrokerPort = Factory.MqttPort,
            Boards = 4,
            TimeScale = 480,
            SimulatedStart = SimulatedStart,
            PublishIntervalSeconds = 300, // longer than a board step, so a power cut can lose unflushed energy
            Seed = 2026,
            ClassesAroundTheClock = true,
            RebootProbabilityPerHour = 1,
            CounterLossOnRebootProbability = 0.5,
            WifiLossProbabilityPerHour = 1,
            UnsyncedClockAtBootProbability = 0.5,
            DuplicatePublishProbability = 0.03,
            ReorderProbability = 0.03,
            BurstProbabilityPerHour = 1,
            StopDrainTimeout = TimeSpan.FromSeconds(20),
            RecordPublishedReadings = true,
        };
        Fleet = new SimulatedFleet(options);
        _clock.Source = () => Fleet.SimulatedNow;
        using (var stop = new CancellationTokenSource(RunFor))
        {
            await Fleet.RunAsync(stop.Token);
        }
        SimulatedEnd = Fleet.Stats.SimulatedTime;
        Devices = Fleet.Boards.SelectMany(b => b.Loads.Select(l => (b.Name + "/" + l.DeviceId, l))).ToList();

        // Background runs (the ledger trigger) may hold a device's lock: repeat until nothing is pending or dirty.
        for (int attempt = 0; ; attempt++)
        {
            await AccountAsync();
            await using var conn = await Db.OpenAsync();
            var pending = await LedgerStore.DevicesWithPendingAsync(conn, _clock.GetCurrentInstant(), CancellationToken.None);
            long dirty = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM dirty_days");
            if (pending.Count == 0 && dirty == 0)
            {
                break;
            }
            Assert.True(attempt < 20, $"still pending after {attempt} runs: {string.Join(", ", pending)}; dirty days {dirty}");
            await Task.Delay(500);
        }
    }

    public async Task AccountAsync()
    {
        await Accounting.AccountAllAsync(Factory.Services);
    }

    public async Task DisposeAsync()
    {
        if (Fleet is not null)
        {
            await Fleet.DisposeAsync();
        }
        await Factory.DisposeAsync();
    }

    /// <summary>The server's clock: the fleet's simulated time once it runs (its start before).</summary>
    private sealed class SimulationClockAdapter(DateTimeOffset start) : IClock
    {
        public Func<DateTimeOffset?>? Source { get; set; }

        public Instant GetCurrentInstant() => Instant.FromDateTimeOffset(Source?.Invoke() ?? start);
    }

    public sealed class SimulatedClockAppFactory(IClock clock) : AutoVoltAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton(clock));
        }
    }
}
