using AutoVolt.Esp32.Core;

namespace AutoVolt.Web.Tests.Esp32;

public sealed class BootIdentityTests
{
    private static byte[] Entropy(Random random)
    {
        byte[] bytes = new byte[8];
        random.NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void NextSequence_AcrossManyUncleanReboots_NeverRepeatsAndOnlyIncreases()
    {
        var store = new MemoryNvStore();
        var random = new Random(42);
        var seen = new List<long>();
        for (int boot = 0; boot < 50; boot++)
        {
            var identity = new BootIdentity(store, Entropy(random), 100);
            Assert.True(boot == 0 || identity.SequenceRestored);
            int messages = random.Next(0, 350); // power cut at a random point, mid-block or not
            for (int i = 0; i < messages; i++)
            {
                seen.Add(identity.NextSequence());
            }
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(seen.OrderBy(s => s), seen);
    }

    [Fact]
    public void NextSequence_250Numbers_WritesOncePerBlockOf100()
    {
        var store = new MemoryNvStore();
        var identity = new BootIdentity(store, new byte[8], 100);
        for (int i = 0; i < 250; i++)
        {
            Assert.Equal(i, identity.NextSequence());
        }

        Assert.Equal(3, identity.FlashWrites); // reserved 0..99 at boot, then 100..199, 200..299
        Assert.Equal(3, store.Writes);
    }

    [Fact]
    public void Reboot_AfterFiveMessages_ContinuesAfterTheReservedBlock()
    {
        var store = new MemoryNvStore();
        var first = new BootIdentity(store, new byte[8], 100);
        for (int i = 0; i < 5; i++)
        {
            first.NextSequence();
        }

        var second = new BootIdentity(store, new byte[8], 100);

        Assert.Equal(100, second.NextSequence());
    }

    [Fact]
    public void BootId_EachBoot_IsNewSixteenHexCharacters()
    {
        var store = new MemoryNvStore();
        var random = new Random(7);
        string a = new BootIdentity(store, Entropy(random), 100).BootId;
        string b = new BootIdentity(store, Entropy(random), 100).BootId;

        Assert.Matches("^[0-9a-f]{16}$", a);
        Assert.NotEqual(a, b);
        Assert.Equal("00ff10ab7f000001", new BootIdentity(store, [0x00, 0xFF, 0x10, 0xAB, 0x7F, 0x00, 0x00, 0x01], 100).BootId);
    }

    [Fact]
    public void Boot_FlashErased_RestartsSequenceAtZero()
    {
        var store = new MemoryNvStore();
        var first = new BootIdentity(store, new byte[8], 100);
        first.NextSequence();
        store.Erase();

        var second = new BootIdentity(store, new byte[8], 100);

        Assert.False(second.SequenceRestored);
        Assert.Equal(0, second.NextSequence());
    }
}
