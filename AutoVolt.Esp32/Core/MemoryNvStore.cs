using System.Collections;

namespace AutoVolt.Esp32.Core;

/// <summary>
/// RAM-backed <see cref="INvStore"/> for tests and the simulator. It survives a simulated reboot
/// because the simulator keeps the instance; <see cref="Erase"/> simulates a wiped flash.
/// Counts writes so wear can be checked.
/// </summary>
public sealed class MemoryNvStore : INvStore
{
    private readonly Hashtable _records = new Hashtable();
    private readonly object _gate = new object();
    private long _writes;

    /// <summary>Number of <see cref="Write"/> calls since construction (a proxy for flash wear).</summary>
    public long Writes
    {
        get { lock (_gate) { return _writes; } }
    }

    /// <inheritdoc />
    public byte[]? Read(string key)
    {
        lock (_gate)
        {
            byte[]? data = (byte[]?)_records[key];
            if (data == null)
            {
                return null;
            }

            byte[] copy = new byte[data.Length];
            System.Array.Copy(data, copy, data.Length);
            return copy;
        }
    }

    /// <inheritdoc />
    public void Write(string key, byte[] data)
    {
        byte[] copy = new byte[data.Length];
        System.Array.Copy(data, copy, data.Length);
        lock (_gate)
        {
            _records[key] = copy;
            _writes++;
        }
    }

    /// <summary>Forgets every record (a board whose flash was erased or replaced).</summary>
    public void Erase()
    {
        lock (_gate)
        {
            _records.Clear();
        }
    }

    /// <summary>Overwrites one byte of a stored record (tests: simulate corruption).</summary>
    public void Corrupt(string key, int index)
    {
        lock (_gate)
        {
            byte[]? data = (byte[]?)_records[key];
            if (data != null && index >= 0 && index < data.Length)
            {
                data[index] = (byte)(data[index] ^ 0x5A);
            }
        }
    }
}
