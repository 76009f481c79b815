using AutoVolt.Domain.Ledger;

namespace AutoVolt.Web.Tests.Domain.Ledger;

public sealed class SwitchKeyResolverTests
{
    private static readonly Dictionary<string, bool> Two = new() { ["sw1"] = true, ["light_1"] = false };
    private static readonly Dictionary<string, bool> One = new() { ["sw9"] = true };

    [Fact]
    public void Resolve_RegistryKeySet_WinsOverEverything() =>
        Assert.Equal("sw7", SwitchKeyResolver.Resolve("sw7", "sw1", Two, "light_1"));

    [Fact]
    public void Resolve_PayloadKey_WinsOverOnlyKeyAndDeviceId() =>
        Assert.Equal("sw1", SwitchKeyResolver.Resolve(null, "sw1", One, "light_1"));

    [Fact]
    public void Resolve_SingleKey_IsTheSwitch() =>
        Assert.Equal("sw9", SwitchKeyResolver.Resolve(" ", null, One, "light_1"));

    [Fact]
    public void Resolve_KeyEqualToDeviceId_IsTheSwitch() =>
        Assert.Equal("light_1", SwitchKeyResolver.Resolve(null, "", Two, "light_1"));

    [Fact]
    public void Resolve_NoRuleApplies_ReturnsNull()
    {
        Assert.Null(SwitchKeyResolver.Resolve(null, null, Two, "fan_2"));
        Assert.Null(SwitchKeyResolver.Resolve(null, null, null, "fan_2"));
        Assert.Null(SwitchKeyResolver.Resolve(null, null, new Dictionary<string, bool>(), "fan_2"));
    }

    [Fact]
    public void SwitchOn_KeyPresentOrMissing_ReturnsStateOrNull()
    {
        Assert.True(SwitchKeyResolver.SwitchOn("sw1", Two));
        Assert.False(SwitchKeyResolver.SwitchOn("light_1", Two));
        Assert.Null(SwitchKeyResolver.SwitchOn("sw7", Two));
        Assert.Null(SwitchKeyResolver.SwitchOn(null, Two));
    }
}
