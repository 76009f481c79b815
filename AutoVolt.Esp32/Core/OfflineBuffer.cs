namespace AutoVolt.Esp32.Core;

/// <summary>
/// Bounded FIFO ring of telemetry readings waiting to be sent. Every reading goes through it (it is
/// the outbox), so readings buffered while the broker was unreachable are always sent before newer
/// ones, in capture order, with their capture timestamps. When full, the oldest reading is dropped
/// and counted in <see cref="Dropped"/> (reported as <c>dropped_readings</c> in the heartbeat).
/// A reading leaves only after its publish was acknowledged (<see cref="RemoveFirst"/>), so QoS 1
/// delivery is at-least-once; the server deduplicates.
/// </summary>
public sealed class OfflineBuffer
{
    private readonly TelemetryReading?[] _items;
    private int _head;
    private int _count;

    /// <summary>Creates a ring for <paramref name="capacity"/> readings (&gt;= 1).</summary>
    public OfflineBuffer(int capacity)
    {
        if (capacity < 1)
        {
            throw new System.ArgumentOutOfRangeException(nameof(capacity));
        }

        _items = new TelemetryReading?[capacity];
    }

    /// <summary>Maximum number of readings held.</summary>
    public int Capacity
    {
        get { return _items.Length; }
    }

    /// <summary>Readings waiting.</summary>
    public int Count
    {
        get { return _count; }
    }

    /// <summary>Readings dropped because the ring was full, since boot.</summary>
    public long Dropped { get; private set; }

    /// <summary>Appends a reading, dropping (and counting) the oldest when full.</summary>
    /// <returns>True when an older reading was dropped to make room.</returns>
    public bool Enqueue(TelemetryReading reading)
    {
        bool dropped = false;
        if (_count == _items.Length)
        {
            _items[_head] = null;
            _head = (_head + 1) % _items.Length;
            _count--;
            Dropped++;
            dropped = true;
        }

        _items[(_head + _count) % _items.Length] = reading;
        _count++;
        return dropped;
    }

    /// <summary>The oldest reading, or null when empty.</summary>
    public TelemetryReading? PeekFirst()
    {
        return _count == 0 ? null : _items[_head];
    }

    /// <summary>Removes the oldest reading (after it was sent and acknowledged).</summary>
    public void RemoveFirst()
    {
        if (_count == 0)
        {
            return;
        }

        _items[_head] = null;
        _head = (_head + 1) % _items.Length;
        _count--;
    }

    /// <summary>Drops everything without counting (RAM lost on reboot); returns how many were held.</summary>
    public int Clear()
    {
        int n = _count;
        for (int i = 0; i < _items.Length; i++)
        {
            _items[i] = null;
        }

        _head = 0;
        _count = 0;
        return n;
    }
}
