using AutoVolt.Domain.Ledger;
using NodaTime;
using static AutoVolt.Web.Tests.Domain.Ledger.Readings;

namespace AutoVolt.Web.Tests.Domain.Ledger;

public sealed class DeltaCalculatorTests
{
    private static readonly DeltaPolicy Policy = DeltaPolicy.Default;

    private static EnergySegment Single(AccountingReading r1, AccountingReading r2, DeltaPolicy? policy = null, BoardStatusTimeline? statuses = null) =>
        Assert.Single(DeltaCalculator.Calculate(r1, r2, policy ?? Policy, statuses));

    [Fact]
    public void Cumulative_SameBoot_CountsCounterDifferenceWithHighConfidence()
    {
        var s = Single(Energy(1, 0, 1000m), Energy(2, 60, 1000.5m));

        Assert.Equal(At(0), s.Start);
        Assert.Equal(At(60), s.End);
        Assert.Equal(0.5m, s.EnergyWh);
        Assert.Equal(0m, s.HeldEnergyWh);
        Assert.Equal(60m, s.OnTimeSeconds);
        Assert.Equal(DeltaMethod.Cumulative, s.Method);
        Assert.Equal(Confidence.High, s.Confidence);
        Assert.Equal(EntryMarks.None, s.Marks);
        Assert.Equal(EntryKind.Posting, s.Kind);
        Assert.Equal((1L, 2L), (s.FromEventId, s.ToEventId));
    }

    [Fact]
    public void Cumulative_MoreThanSixDecimals_RoundsDeltaToMicroWattHours()
    {
        var s = Single(Energy(1, 0, 1000.0000004m), Energy(2, 60, 1000.1234566m));

        Assert.Equal(0.123456m, s.EnergyWh); // 0.1234562 → 0.123456
    }

    [Fact]
    public void Cumulative_RebootWithCounterKept_CountsDifferenceAndFlagsReboot()
    {
        var s = Single(Energy(1, 0, 1000m, boot: "b1"), Energy(2, 120, 1002m, boot: "b2", uptime: 30));

        Assert.Equal(2m, s.EnergyWh);
        Assert.Equal(At(0), s.Start);
        Assert.Equal(Confidence.High, s.Confidence);
        Assert.Equal(EntryMarks.Reboot, s.Marks);
    }

    [Fact]
    public void Reset_CounterDroppedAfterReboot_WritesMarkerAndCountsNewCounterFromBootTime()
    {
        // r2 at +300 s with uptime 120 s: boot at +180 s
        var segments = DeltaCalculator.Calculate(Energy(1, 0, 1000m, boot: "b1"), Energy(2, 300, 3m, boot: "b2", uptime: 120), Policy);

        Assert.Equal(2, segments.Count);
        var marker = segments[0];
        Assert.Equal(EntryKind.ResetMarker, marker.Kind);
        Assert.Equal((At(0), At(180)), (marker.Start, marker.End));
        Assert.Equal(0m, marker.EnergyWh);
        Assert.Equal(EntryMarks.Reset | EntryMarks.Reboot, marker.Marks);

        var posting = segments[1];
        Assert.Equal(EntryKind.Posting, posting.Kind);
        Assert.Equal((At(180), At(300)), (posting.Start, posting.End));
        Assert.Equal(3m, posting.EnergyWh);
        Assert.Equal(120m, posting.OnTimeSeconds);
        Assert.Equal(DeltaMethod.CumulativeSinceReset, posting.Method);
        Assert.Equal(Confidence.Medium, posting.Confidence);
        Assert.Equal(EntryMarks.Reset | EntryMarks.Reboot, posting.Marks);
    }

    [Fact]
    public void Reset_UptimeLongerThanInterval_ClampsBootTimeToEarlierReading()
    {
        var segments = DeltaCalculator.Calculate(Energy(1, 0, 1000m, boot: "b1"), Energy(2, 300, 3m, boot: "b2", uptime: 10_000), Policy);

        Assert.Equal((At(0), At(0)), (segments[0].Start, segments[0].End));
        Assert.Equal((At(0), At(300)), (segments[1].Start, segments[1].End));
        Assert.Equal(3m, segments[1].EnergyWh);
    }

    [Fact]
    public void Reset_UptimeUnknown_PlacesCounterOverWholeInterval()
    {
        var segments = DeltaCalculator.Calculate(Energy(1, 0, 1000m, boot: "b1"), Energy(2, 300, 3m, boot: "b2"), Policy);

        Assert.Equal((At(0), At(300)), (segments[1].Start, segments[1].End));
        Assert.Equal(EntryMarks.Reset | EntryMarks.Reboot, segments[1].Marks);
    }

    [Fact]
    public void CounterDrop_WithoutReboot_FlagsCounterWrapForReview()
    {
        var segments = DeltaCalculator.Calculate(Energy(1, 0, 1000m, uptime: 500), Energy(2, 300, 10m, uptime: 800), Policy);

        Assert.Equal(2, segments.Count);
        Assert.Equal(EntryMarks.Reset | EntryMarks.CounterWrap, segments[1].Marks);
        Assert.Equal((At(0), At(300)), (segments[1].Start, segments[1].End));
        Assert.Equal(10m, segments[1].EnergyWh);
        Assert.All(segments, s => Assert.True(s.EnergyWh >= 0m));
    }

    [Fact]
    public void PowerIntegration_SwitchOn_HoldsEarlierPower()
    {
        // 40 W for 300 s = 40 × 300 / 3600 = 3.333333… Wh
        var s = Single(Power(1, 0, 40m), Power(2, 300, 75m));

        Assert.Equal(3.333333m, s.EnergyWh);
        Assert.Equal(DeltaMethod.PowerIntegration, s.Method);
        Assert.Equal(Confidence.Medium, s.Confidence);
        Assert.Equal(300m, s.OnTimeSeconds);
        Assert.Equal(EntryMarks.None, s.Marks);
    }

    [Fact]
    public void PowerIntegration_SwitchOff_CountsNothing()
    {
        var s = Single(Power(1, 0, 40m, on: false), Power(2, 300, 40m, on: true));

        Assert.Equal(0m, s.EnergyWh);
        Assert.Equal(0m, s.OnTimeSeconds);
    }

    [Fact]
    public void PowerIntegration_NoSwitchMapping_CountsAndFlags()
    {
        var s = Single(Power(1, 0, 36m, on: null), Power(2, 100, 0m, on: null));

        Assert.Equal(1m, s.EnergyWh); // 36 W × 100 s = 3600 Ws = 1 Wh
        Assert.Equal(EntryMarks.NoSwitchMapping, s.Marks);
        Assert.Equal(100m, s.OnTimeSeconds);
    }

    [Theory]
    [InlineData("1002", "2", true)]
    [InlineData("1000.3", "0.3", false)]
    [InlineData("1000.5", "0.5", false)]
    public void Cumulative_SwitchOff_KeepsMeteredEnergyAndFlagsAboveNoise(string e2, string expected, bool flagged)
    {
        var s = Single(Energy(1, 0, 1000m, on: false), Energy(2, 60, decimal.Parse(e2, System.Globalization.CultureInfo.InvariantCulture), on: false));

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), s.EnergyWh);
        Assert.Equal(flagged, s.Marks.HasFlag(EntryMarks.EnergyWhileOff));
        Assert.Equal(0m, s.OnTimeSeconds);
    }

    [Fact]
    public void Cumulative_Gap_KeepsDeltaWithMediumConfidence()
    {
        var s = Single(Energy(1, 0, 1000m), Energy(2, 15 * 60, 1100m));

        Assert.Equal(100m, s.EnergyWh);
        Assert.Equal(Confidence.Medium, s.Confidence);
        Assert.Equal(EntryMarks.Gap, s.Marks);
    }

    [Fact]
    public void Cumulative_ExactlyMaxGap_IsNotAGap()
    {
        var s = Single(Energy(1, 0, 1000m), Energy(2, 10 * 60, 1010m));

        Assert.Equal(Confidence.High, s.Confidence);
        Assert.Equal(EntryMarks.None, s.Marks);
    }

    [Fact]
    public void PowerIntegration_GapWithOfflineStatus_EstimatesWithLowConfidence()
    {
        var statuses = new BoardStatusTimeline([new BoardStatusEvent(At(600), BoardStatus.Offline), new BoardStatusEvent(At(1500), BoardStatus.Online)]);

        var s = Single(Power(1, 0, 100m), Power(2, 1800, 100m), statuses: statuses);

        Assert.Equal(50m, s.EnergyWh); // 100 W × 0.5 h
        Assert.Equal(Confidence.Low, s.Confidence);
        Assert.Equal(EntryMarks.Gap | EntryMarks.Estimated | EntryMarks.Offline, s.Marks);
    }

    [Fact]
    public void PowerIntegration_GapEndingInReboot_StopsHoldAtBootTime()
    {
        // gap of 60 min; r2 booted 10 min before it reported: hold 100 W for 50 min = 83.333333 Wh
        var segments = DeltaCalculator.Calculate(Power(1, 0, 100m, boot: "b1", uptime: 5000), Power(2, 3600, 20m, boot: "b2", uptime: 600), Policy);

        Assert.Equal(2, segments.Count);
        var hold = segments[0];
        Assert.Equal((At(0), At(3000)), (hold.Start, hold.End));
        Assert.Equal(83.333333m, hold.EnergyWh);
        Assert.Equal(3000m, hold.OnTimeSeconds);
        Assert.Equal(Confidence.Low, hold.Confidence);
        Assert.Equal(EntryMarks.Gap | EntryMarks.Estimated | EntryMarks.Reboot, hold.Marks);

        var afterBoot = segments[1];
        Assert.Equal((At(3000), At(3600)), (afterBoot.Start, afterBoot.End));
        Assert.Equal(0m, afterBoot.EnergyWh);
        Assert.Equal(0m, afterBoot.OnTimeSeconds);
        Assert.Equal(EntryMarks.Gap | EntryMarks.Reboot, afterBoot.Marks);
    }

    [Fact]
    public void Cumulative_ImpliesMoreThanMaxPower_IsHeldWithRawValue()
    {
        // 200 Wh in 60 s = 12 kW > 5 kW
        var s = Single(Energy(1, 0, 1000m), Energy(2, 60, 1200m));

        Assert.Equal(0m, s.EnergyWh);
        Assert.Equal(200m, s.HeldEnergyWh);
        Assert.Equal(EntryMarks.Held, s.Marks);
    }

    [Fact]
    public void Cumulative_HeldDeltaAcceptedByStaff_IsCountedAndFlaggedAccepted()
    {
        var policy = Policy with { AcceptedHeldDeltas = new HashSet<DeltaKey> { new(1, 2) } };

        var s = Single(Energy(1, 0, 1000m), Energy(2, 60, 1200m), policy);

        Assert.Equal(200m, s.EnergyWh);
        Assert.Equal(0m, s.HeldEnergyWh);
        Assert.Equal(EntryMarks.Accepted, s.Marks);
    }

    [Fact]
    public void Cumulative_ExactlyMaxPower_IsCounted()
    {
        // 5000 W for 72 s = 100 Wh
        var s = Single(Energy(1, 0, 1000m), Energy(2, 72, 1100m));

        Assert.Equal(100m, s.EnergyWh);
        Assert.Equal(EntryMarks.None, s.Marks);
    }

    [Fact]
    public void PowerIntegration_PowerAboveDeviceMaximum_IsHeld()
    {
        var s = Single(Power(1, 0, 600m), Power(2, 360, 600m), Policy with { MaxPowerW = 500m });

        Assert.Equal(0m, s.EnergyWh);
        Assert.Equal(60m, s.HeldEnergyWh); // 600 W × 0.1 h
        Assert.True(s.Marks.HasFlag(EntryMarks.Held));
    }

    [Fact]
    public void Cumulative_SameTimestampDifferentCounter_IsHeld()
    {
        var s = Single(Energy(1, 0, 1000m, seq: 1), Energy(2, 0, 1001m, seq: 2));

        Assert.Equal(0m, s.EnergyWh);
        Assert.Equal(1m, s.HeldEnergyWh);
    }

    [Fact]
    public void Calculate_DuplicateMeasurement_YieldsNothing()
    {
        Assert.Empty(DeltaCalculator.Calculate(Energy(1, 0, 1000m), Energy(7, 0, 1000m), Policy));
    }

    [Fact]
    public void Calculate_NoCounterAndNoPower_YieldsNothing()
    {
        Assert.Empty(DeltaCalculator.Calculate(
            new AccountingReading(1, Device, At(0), null, null, null, true, null, null),
            new AccountingReading(2, Device, At(60), null, null, 10m, true, null, null), Policy));
    }

    [Fact]
    public void Calculate_CounterOnOneSideOnly_FallsBackToPowerIntegration()
    {
        var s = Single(Energy(1, 0, 1000m, power: 360m), Power(2, 10, 0m));

        Assert.Equal(DeltaMethod.PowerIntegration, s.Method);
        Assert.Equal(1m, s.EnergyWh); // 360 W × 10 s
    }

    [Fact]
    public void Calculate_ReadingMarks_AreCarriedToSegment()
    {
        var s = Single(Energy(1, 0, 1000m, marks: EntryMarks.ClockInvalid), Energy(2, 60, 1001m, marks: EntryMarks.LateDelivery));

        Assert.Equal(EntryMarks.ClockInvalid | EntryMarks.LateDelivery, s.Marks);
    }

    [Fact]
    public void Calculate_OutOfOrderOrOtherDevice_Throws()
    {
        Assert.Throws<ArgumentException>(() => DeltaCalculator.Calculate(Energy(1, 60, 1m), Energy(2, 0, 2m), Policy));
        var other = new AccountingReading(2, "ESP01/fan_1", At(60), null, 2m, null, true, null, null);
        Assert.Throws<ArgumentException>(() => DeltaCalculator.Calculate(Energy(1, 0, 1m), other, Policy));
    }

    [Theory]
    [InlineData("b1", "b2", 100L, 200L, true)]      // new boot id
    [InlineData("b1", "b1", 500L, 100L, false)]     // same boot id decides
    [InlineData(null, null, 500L, 100L, true)]      // uptime went down
    [InlineData(null, null, 100L, 1000L, true)]     // uptime places boot after r1 (1 h apart)
    [InlineData(null, null, 100L, 3700L, false)]    // uptime consistent
    [InlineData(null, null, null, null, false)]     // nothing known
    public void IsReboot_Evidence_Decides(string? boot1, string? boot2, long? uptime1, long? uptime2, bool expected)
    {
        var r1 = Energy(1, 0, 1m, boot: boot1, uptime: uptime1);
        var r2 = Energy(2, 3600, 2m, boot: boot2, uptime: uptime2);

        Assert.Equal(expected, DeltaCalculator.IsReboot(r1, r2, Policy));
    }

    [Fact]
    public void IsReboot_SequenceRestarted_IsReboot()
    {
        Assert.True(DeltaCalculator.IsReboot(Energy(1, 0, 1m, boot: null, seq: 500), Energy(2, 60, 2m, boot: null, seq: 3), Policy));
    }

    [Fact]
    public void IsReboot_InvalidClock_IgnoresUptimeAgainstTimestamps()
    {
        var r1 = Energy(1, 0, 1m, boot: null, uptime: 100);
        var r2 = Energy(2, 3600, 2m, boot: null, uptime: 1000, marks: EntryMarks.ClockInvalid);

        Assert.False(DeltaCalculator.IsReboot(r1, r2, Policy));
    }

    [Fact]
    public void DeltaPolicy_InvalidValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy with { MaxGap = Duration.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy with { MaxPowerW = 0m });
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy with { NoiseWh = -1m });
    }
}
