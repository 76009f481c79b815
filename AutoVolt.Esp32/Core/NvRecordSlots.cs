namespace AutoVolt.Esp32.Core;

/// <summary>
/// A fixed number of 64-bit values persisted in two alternating slots (<c>key + "a"</c>,
/// <c>key + "b"</c>), each with a generation number and a CRC-32. A torn or corrupt write only
/// ever damages the slot being written, so the other slot still holds the previous good value.
/// Alternating also halves the writes each NVS entry sees.
/// </summary>
/// <remarks>Layout: 'A','V', version, count, generation (8 bytes LE), count x 8 bytes LE, CRC-32 (4 bytes LE).</remarks>
public sealed class NvRecordSlots
{
    private const byte Magic0 = (byte)'A';
    private const byte Magic1 = (byte)'V';
    private const byte Version = 1;

    private readonly INvStore _store;
    private readonly string _keyA;
    private readonly string _keyB;
    private readonly int _count;
    private long _generation;
    private bool _nextIsA = true;
    private long _writes;

    /// <summary>Creates the slot pair; <paramref name="key"/> is at most 14 characters.</summary>
    public NvRecordSlots(INvStore store, string key, int count)
    {
        if (key == null || key.Length == 0 || key.Length > 14)
        {
            throw new System.ArgumentException("key must be 1..14 characters", nameof(key));
        }

        if (count < 1 || count > 16)
        {
            throw new System.ArgumentOutOfRangeException(nameof(count));
        }

        _store = store;
        _keyA = key + "a";
        _keyB = key + "b";
        _count = count;
    }

    /// <summary>Flash writes made through this instance since construction.</summary>
    public long Writes
    {
        get { return _writes; }
    }

    /// <summary>
    /// Loads the newest valid slot into <paramref name="values"/> (length = count).
    /// Returns false, leaving <paramref name="values"/> untouched, when neither slot is valid.
    /// </summary>
    public bool TryLoad(long[] values)
    {
        long[] a = new long[_count];
        long[] b = new long[_count];
        long genA;
        long genB;
        bool okA = TryDecode(_store.Read(_keyA), a, out genA);
        bool okB = TryDecode(_store.Read(_keyB), b, out genB);
        if (!okA && !okB)
        {
            return false;
        }

        bool useA = okA && (!okB || genA >= genB);
        long[] chosen = useA ? a : b;
        for (int i = 0; i < _count; i++)
        {
            values[i] = chosen[i];
        }

        _generation = useA ? genA : genB;
        _nextIsA = !useA;
        return true;
    }

    /// <summary>Writes <paramref name="values"/> to the older slot with the next generation.</summary>
    public void Save(long[] values)
    {
        _generation++;
        byte[] data = Encode(values, _count, _generation);
        _store.Write(_nextIsA ? _keyA : _keyB, data);
        _nextIsA = !_nextIsA;
        _writes++;
    }

    private static byte[] Encode(long[] values, int count, long generation)
    {
        int length = 4 + 8 + (count * 8) + 4;
        byte[] data = new byte[length];
        data[0] = Magic0;
        data[1] = Magic1;
        data[2] = Version;
        data[3] = (byte)count;
        PutInt64(data, 4, generation);
        for (int i = 0; i < count; i++)
        {
            PutInt64(data, 12 + (i * 8), values[i]);
        }

        uint crc = Crc32(data, length - 4);
        data[length - 4] = (byte)crc;
        data[length - 3] = (byte)(crc >> 8);
        data[length - 2] = (byte)(crc >> 16);
        data[length - 1] = (byte)(crc >> 24);
        return data;
    }

    private bool TryDecode(byte[]? data, long[] values, out long generation)
    {
        generation = 0;
        int length = 4 + 8 + (_count * 8) + 4;
        if (data == null || data.Length != length || data[0] != Magic0 || data[1] != Magic1
            || data[2] != Version || data[3] != _count)
        {
            return false;
        }

        uint stored = (uint)(data[length - 4] | (data[length - 3] << 8) | (data[length - 2] << 16) | (data[length - 1] << 24));
        if (stored != Crc32(data, length - 4))
        {
            return false;
        }

        generation = GetInt64(data, 4);
        for (int i = 0; i < _count; i++)
        {
            values[i] = GetInt64(data, 12 + (i * 8));
        }

        return true;
    }

    private static void PutInt64(byte[] data, int offset, long value)
    {
        ulong v = (ulong)value;
        for (int i = 0; i < 8; i++)
        {
            data[offset + i] = (byte)(v >> (8 * i));
        }
    }

    private static long GetInt64(byte[] data, int offset)
    {
        ulong v = 0;
        for (int i = 7; i >= 0; i--)
        {
            v = (v << 8) | data[offset + i];
        }

        return (long)v;
    }

    private static uint Crc32(byte[] data, int length)
    {
        uint crc = 0xFFFFFFFF;
        for (int i = 0; i < length; i++)
        {
            crc ^= data[i];
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
