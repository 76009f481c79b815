using AutoVolt.Web.Cli;
using Microsoft.AspNetCore.Builder;

namespace AutoVolt.Web.Tests.Web;

public sealed class DemoFleetOptionsTests
{
    [Fact]
    public void ToFleetOptions_Defaults_FaultFreeClassesAroundTheClockCatchingUpFast()
    {
        var options = DemoFleet.ToFleetOptions(new DemoOptions(), 18830);

        Assert.Equal(18830, options.BrokerPort);
        Assert.Equal("127.0.0.1", options.BrokerHost);
        Assert.Equal(6, options.Boards);
        Assert.Equal(300, options.TimeScale);
        Assert.True(options.ClassesAroundTheClock);
        Assert.Equal(0, options.RebootProbabilityPerHour);
        Assert.Equal(0, options.WifiLossProbabilityPerHour);
        Assert.Equal(0, options.UnsyncedClockAtBootProbability);
        Assert.Equal(0, options.DuplicatePublishProbability);
        Assert.Equal(0, options.ReorderProbability);
        Assert.Equal(0, options.BurstProbabilityPerHour);
    }

    [Fact]
    public void ToFleetOptions_Faults_EveryFaultButTheUnsyncedClockThatTheRealTimeServerWouldMisdate()
    {
        var options = DemoFleet.ToFleetOptions(new DemoOptions { Faults = true, Boards = 3, Seed = 9 }, 1883);

        Assert.Equal(3, options.Boards);
        Assert.Equal(9, options.Seed);
        Assert.True(options.RebootProbabilityPerHour > 0);
        Assert.True(options.CounterLossOnRebootProbability > 0);
        Assert.True(options.WifiLossProbabilityPerHour > 0);
        Assert.True(options.DuplicatePublishProbability > 0);
        Assert.True(options.ReorderProbability > 0);
        Assert.True(options.BurstProbabilityPerHour > 0);
        Assert.Equal(0, options.UnsyncedClockAtBootProbability);
    }

    [Fact]
    public void AddDemoFleet_InvalidBoardCount_FailsAtStartupNamingTheSetting()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Demo:Boards"] = "0";

        var error = Assert.Throws<ArgumentException>(() => builder.AddDemoFleet(["--demo"]));
        Assert.Equal("Boards", error.ParamName);
    }
}
