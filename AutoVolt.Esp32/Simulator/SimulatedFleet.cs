using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace AutoVolt.Esp32.Simulator;

/// <summary>
/// A fleet of simulated ESP32 boards (ESP01.. in CR-101..), each running the firmware core over its
/// own MQTT connection. Used by the web app's <c>--demo</c> mode, the CLI and tests.
/// </summary>
/// <example>
/// <code>
/// await using var fleet = new SimulatedFleet(new FleetOptions { BrokerPort = 1883, Boards = 20 });
/// await fleet.RunAsync(stoppingToken);   // returns after a clean shutdown once the token is cancelled
/// </code>
/// </example>
public sealed class SimulatedFleet : IAsyncDisposable
{
    private readonly FleetOptions _options;
    private readonly TimeProvider _time;
    private readonly List<SimulatedBoard> _boards;
    private readonly CancellationTokenSource _disposed = new();
    private Task? _run;
    private SimulationClock? _clock;
    private int _disposeCalled;

    /// <summary>Creates the boards (no I/O yet); throws <see cref="ArgumentException"/> for invalid options.</summary>
    /// <param name="options">Fleet settings; validated here and not read again after <see cref="RunAsync"/> starts.</param>
    /// <param name="time">Real-time source (delays, backoff, the simulated clock's base); default <see cref="TimeProvider.System"/>.</param>
    public SimulatedFleet(FleetOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time ?? TimeProvider.System;
        options.Validate(_time.GetUtcNow());
        _options = options;
        _boards = new List<SimulatedBoard>(options.Boards);
        for (int i = 0; i < options.Boards; i++)
        {
            _boards.Add(new SimulatedBoard(i, options, Stats, _time));
        }
    }

    /// <summary>Live counters.</summary>
    public FleetStats Stats { get; } = new();

    /// <summary>
    /// The simulated instant now (start + real elapsed × scale, never ahead of the real clock), or null before
    /// <see cref="RunAsync"/>. A server under test can use it as its clock so receive times live on the same
    /// time line as the boards' timestamps.
    /// </summary>
    public DateTimeOffset? SimulatedNow => Volatile.Read(ref _clock) is { } clock ? DateTimeOffset.FromUnixTimeMilliseconds(clock.NowUnixMs()) : null;

    /// <summary>The boards, in name order.</summary>
    public IReadOnlyList<SimulatedBoard> Boards => _boards;

    /// <summary>
    /// Runs every board until <paramref name="ct"/> is cancelled (or the fleet is disposed), then shuts
    /// the boards down cleanly (counters flushed, retained <c>offline</c> status, MQTT DISCONNECT) and
    /// returns normally. Broker outages do not end it: boards buffer and reconnect with backoff.
    /// Can be called once.
    /// </summary>
    public Task RunAsync(CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref _run, Task.CompletedTask, null) is not null)
        {
            throw new InvalidOperationException("The fleet is already running or has run.");
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposeCalled) != 0, this);
        _run = RunCoreAsync(ct);
        return _run;
    }

    private async Task RunCoreAsync(CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _disposed.Token);
        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset start = _options.SimulatedStart ?? (_options.TimeScale > 1 ? now.AddDays(-1) : now);
        var clock = new SimulationClock(_time, start, _options.TimeScale);
        Volatile.Write(ref _clock, clock);
        Stats.SetSimulatedTime(clock.NowUnixMs());
        var tasks = new Task[_boards.Count];
        for (int i = 0; i < _boards.Count; i++)
        {
            SimulatedBoard board = _boards[i];
            tasks[i] = Task.Run(() => board.RunAsync(clock, linked.Token), CancellationToken.None);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Stops a running fleet (clean shutdown) and releases the MQTT clients. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeCalled, 1) != 0)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        Task? run = _run;
        if (run is not null)
        {
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopping
            }
        }

        foreach (SimulatedBoard board in _boards)
        {
            await board.DisposeAsync().ConfigureAwait(false);
        }

        _disposed.Dispose();
    }
}
