using AutoVolt.Esp32;
using AutoVolt.Esp32.Simulator;

namespace AutoVolt.Web.Tests.Esp32;

public sealed class SimulatorCliTests
{
    [Fact]
    public void Parse_AllOptions_FillFleetOptions()
    {
        CliArguments args = CliArguments.Parse(
            ["--boards", "5", "--broker", "mqtt://10.0.0.2:1884", "--time-scale", "60", "--duration", "30s", "--seed", "7", "--faults"]);

        Assert.Equal(5, args.Options.Boards);
        Assert.Equal("10.0.0.2", args.Options.BrokerHost);
        Assert.Equal(1884, args.Options.BrokerPort);
        Assert.False(args.Options.UseTls);
        Assert.Equal(60, args.Options.TimeScale);
        Assert.Equal(TimeSpan.FromSeconds(30), args.Duration);
        Assert.Equal(7, args.Options.Seed);
        Assert.True(args.Options.RebootProbabilityPerHour > 0);
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("5m", 300)]
    [InlineData("2h", 7200)]
    [InlineData("1.5s", 1.5)]
    public void ParseDuration_Forms_AreSeconds(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), CliArguments.ParseDuration(text, "--duration"));
    }

    [Theory]
    [InlineData("--boards", "0")]
    [InlineData("--boards", "x")]
    [InlineData("--broker", "http://localhost:1883")]
    [InlineData("--broker", "localhost:1883")]
    [InlineData("--time-scale", "-1")]
    [InlineData("--time-scale", "1,5")]
    [InlineData("--duration", "10x")]
    [InlineData("--duration", "0")]
    [InlineData("--bogus", "1")]
    public async Task Main_BadArgument_ReturnsExitCode2(string option, string value)
    {
        Assert.Throws<ArgumentException>(() => CliArguments.Parse([option, value]));
        Assert.Equal(2, await AutoVolt.Esp32.Program.Main([option, value]));
    }

    [Fact]
    public async Task Main_OptionWithoutValue_ReturnsExitCode2()
    {
        Assert.Equal(2, await AutoVolt.Esp32.Program.Main(["--boards"]));
    }

    [Fact]
    public void Parse_MqttsWithoutPort_UsesTls8883()
    {
        CliArguments args = CliArguments.Parse(["--broker", "mqtts://broker.example"]);
        Assert.True(args.Options.UseTls);
        Assert.Equal(8883, args.Options.BrokerPort);
    }

    [Fact]
    public void FleetOptions_InvalidValues_AreRejectedWithTheSettingName()
    {
        var ex = Assert.Throws<ArgumentException>(() => new FleetOptions { ReorderProbability = 2 }.Validate(DateTimeOffset.UtcNow));
        Assert.Equal(nameof(FleetOptions.ReorderProbability), ex.ParamName);
        Assert.Throws<ArgumentException>(() => new SimulatedFleet(new FleetOptions { Boards = 0 }));
        Assert.Throws<ArgumentException>(() => new SimulatedFleet(new FleetOptions { SimulatedStart = DateTimeOffset.UtcNow.AddHours(1) }));
    }

    [Fact]
    public async Task SimulatedFleet_Boards_AreNamedWithClassroomsAndDesignLoads()
    {
        await using var fleet = new SimulatedFleet(new FleetOptions { Boards = 12, Seed = 1 });

        Assert.Equal("ESP01", fleet.Boards[0].Name);
        Assert.Equal("ESP12", fleet.Boards[11].Name);
        Assert.Equal("CR-112", fleet.Boards[11].Classroom);
        Assert.All(fleet.Boards, b =>
        {
            Assert.InRange(b.Loads.Count, 4, 6);
            Assert.Equal(b.Loads.Count, b.Loads.Select(l => l.DeviceId).Distinct().Count());
            Assert.All(b.Loads, l => Assert.Contains(l.RelayPin, new[] { 16, 17, 18, 19, 21, 22 }));
        });
        var watts = fleet.Boards.SelectMany(b => b.Loads).ToLookup(l => l.Kind, l => l.RatedWatts);
        Assert.All(watts[LoadKind.Light], w => Assert.Equal(40, w));
        Assert.All(watts[LoadKind.Fan], w => Assert.InRange(w, 60, 75));
        Assert.All(watts[LoadKind.AirConditioner], w => Assert.Equal(1500, w));
        Assert.All(watts[LoadKind.Projector], w => Assert.Equal(200, w));
    }
}
