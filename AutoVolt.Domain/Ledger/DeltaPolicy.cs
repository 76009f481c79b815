using System.Collections.Frozen;
using NodaTime;

namespace AutoVolt.Domain.Ledger;

/// <summary>
/// Thresholds of the delta rules (DESIGN.md section 3). Immutable; change values with a <c>with</c>
/// expression, e.g. <c>DeltaPolicy.Default with { MaxPowerW = device.MaxPowerW }</c>. Every setter validates.
/// </summary>
public sealed record DeltaPolicy
{
    /// <summary>The defaults: 10 min gap, 5 kW, 0.5 Wh noise, 60 s reboot tolerance, nothing accepted.</summary>
    public static DeltaPolicy Default { get; } = new();

    /// <summary>Readings further apart than this (strictly) form a gap. Positive; default 10 minutes (<c>Ledger:MaxGapMinutes</c>).</summary>
    public Duration MaxGap
    {
        get;
        init => field = value > Duration.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), "MaxGap must be positive.");
    } = Duration.FromMinutes(10);

    /// <summary>
    /// Maximum plausible power of the device in W (registry; default 5000). A delta implying more than this
    /// over its interval is held. Positive.
    /// </summary>
    public decimal MaxPowerW
    {
        get;
        init => field = value > 0m ? value : throw new ArgumentOutOfRangeException(nameof(value), "MaxPowerW must be positive.");
    } = 5000m;

    /// <summary>
    /// Energy in Wh above which a cumulative delta over an OFF interval is flagged
    /// <see cref="EntryMarks.EnergyWhileOff"/> (strictly above). Non-negative; default 0.5 Wh.
    /// </summary>
    public decimal NoiseWh
    {
        get;
        init => field = value >= 0m ? value : throw new ArgumentOutOfRangeException(nameof(value), "NoiseWh must not be negative.");
    } = 0.5m;

    /// <summary>
    /// Slack allowed between board uptime and timestamps before a boot is placed after the earlier reading
    /// (uptime-based reboot detection). Non-negative; default 60 s.
    /// </summary>
    public Duration RebootTolerance
    {
        get;
        init => field = value >= Duration.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), "RebootTolerance must not be negative.");
    } = Duration.FromSeconds(60);

    /// <summary>
    /// Held deltas that staff accepted in review: these are counted (flag <see cref="EntryMarks.Accepted"/>)
    /// instead of held. Default empty. The given set is copied.
    /// </summary>
    public IReadOnlySet<DeltaKey> AcceptedHeldDeltas
    {
        get;
        init => field = (value ?? throw new ArgumentNullException(nameof(value))).ToFrozenSet();
    } = FrozenSet<DeltaKey>.Empty;
}
