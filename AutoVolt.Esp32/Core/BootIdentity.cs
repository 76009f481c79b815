namespace AutoVolt.Esp32.Core;

/// <summary>
/// Per-boot identity: a random <see cref="BootId"/> and a board-wide message sequence number that
/// is never reused, not even across an unclean reboot.
/// </summary>
/// <remarks>
/// The sequence is persisted in blocks: flash holds the first number not yet handed out by any
/// boot's reservation. At boot the board starts at that number and immediately reserves
/// <c>blockSize</c> more (one write); when a block is used up it reserves the next. A reboot
/// therefore skips at most <c>blockSize - 1</c> numbers and never repeats one, with one flash write
/// per block instead of per message. If flash is lost the sequence restarts at 0 together with a
/// new boot id, which the server treats as a reboot.
/// </remarks>
public sealed class BootIdentity
{
    private readonly NvRecordSlots _slots;
    private readonly int _blockSize;
    private readonly long[] _buffer = new long[1];
    private long _next;
    private long _reservedUntil;

    /// <summary>Starts a new boot.</summary>
    /// <param name="store">Flash abstraction.</param>
    /// <param name="bootEntropy">At least 8 random bytes (ESP32: hardware RNG); the first 8 form the boot id.</param>
    /// <param name="blockSize">Sequence numbers reserved per flash write (&gt;= 1).</param>
    public BootIdentity(INvStore store, byte[] bootEntropy, int blockSize)
    {
        if (bootEntropy == null || bootEntropy.Length < 8)
        {
            throw new System.ArgumentException("at least 8 random bytes are required", nameof(bootEntropy));
        }

        if (blockSize < 1)
        {
            throw new System.ArgumentOutOfRangeException(nameof(blockSize));
        }

        _slots = new NvRecordSlots(store, "seq", 1);
        _blockSize = blockSize;
        BootId = ToHex(bootEntropy, 8);
        if (_slots.TryLoad(_buffer) && _buffer[0] >= 0)
        {
            _next = _buffer[0];
            SequenceRestored = true;
        }

        _reservedUntil = _next;
        Reserve();
    }

    /// <summary>16 lower-case hex characters, new on every boot.</summary>
    public string BootId { get; }

    /// <summary>True when the sequence continued from flash; false when it restarted at 0.</summary>
    public bool SequenceRestored { get; }

    /// <summary>The number <see cref="NextSequence"/> will return.</summary>
    public long PeekSequence
    {
        get { return _next; }
    }

    /// <summary>Flash writes made by this boot's reservations.</summary>
    public long FlashWrites
    {
        get { return _slots.Writes; }
    }

    /// <summary>Hands out the next sequence number, reserving a new block in flash when needed.</summary>
    public long NextSequence()
    {
        if (_next >= _reservedUntil)
        {
            Reserve();
        }

        long value = _next;
        _next++;
        return value;
    }

    private void Reserve()
    {
        _reservedUntil = _next + _blockSize;
        _buffer[0] = _reservedUntil;
        _slots.Save(_buffer);
    }

    private static string ToHex(byte[] bytes, int count)
    {
        const string Digits = "0123456789abcdef";
        char[] chars = new char[count * 2];
        for (int i = 0; i < count; i++)
        {
            chars[2 * i] = Digits[bytes[i] >> 4];
            chars[(2 * i) + 1] = Digits[bytes[i] & 0xF];
        }

        return new string(chars);
    }
}
