using AutoVolt.Esp32.Core;
using CsCheck;

namespace AutoVolt.Web.Tests.Esp32;

public sealed class OfflineBufferTests
{
    private static TelemetryReading R(long seq) => new() { SequenceNo = seq, DeviceId = "light_1" };

    [Fact]
    public void Enqueue_WithinCapacity_ReplaysInOrder()
    {
        var buffer = new OfflineBuffer(5);
        for (int i = 0; i < 4; i++)
        {
            Assert.False(buffer.Enqueue(R(i)));
        }

        var replayed = new List<long>();
        while (buffer.PeekFirst() is { } head)
        {
            replayed.Add(head.SequenceNo);
            buffer.RemoveFirst();
        }

        Assert.Equal([0, 1, 2, 3], replayed);
        Assert.Equal(0, buffer.Dropped);
    }

    [Fact]
    public void Enqueue_WhenFull_DropsOldestAndCountsIt()
    {
        var buffer = new OfflineBuffer(3);
        for (int i = 0; i < 5; i++)
        {
            buffer.Enqueue(R(i));
        }

        Assert.Equal(3, buffer.Count);
        Assert.Equal(2, buffer.Dropped);
        Assert.Equal(2, buffer.PeekFirst()!.SequenceNo);
    }

    [Fact]
    public void Operations_AnySequence_BehaveLikeABoundedQueue()
    {
        Gen.Select(Gen.Int[1, 8], Gen.Int[0, 2].Array[0, 100]).Sample((capacity, ops) =>
        {
            var buffer = new OfflineBuffer(capacity);
            var model = new Queue<long>();
            long dropped = 0;
            long seq = 0;
            foreach (int op in ops)
            {
                if (op < 2)
                {
                    if (model.Count == capacity)
                    {
                        model.Dequeue();
                        dropped++;
                    }

                    model.Enqueue(seq);
                    buffer.Enqueue(R(seq++));
                }
                else
                {
                    model.TryDequeue(out _);
                    buffer.RemoveFirst();
                }

                Assert.Equal(model.Count, buffer.Count);
                Assert.Equal(dropped, buffer.Dropped);
                Assert.Equal(model.Count == 0 ? null : model.Peek(), buffer.PeekFirst()?.SequenceNo);
            }
        });
    }

    [Fact]
    public void Clear_ForgetsWithoutCountingAsDropped()
    {
        var buffer = new OfflineBuffer(3);
        buffer.Enqueue(R(1));
        buffer.Enqueue(R(2));
        Assert.Equal(2, buffer.Clear());
        Assert.Equal(0, buffer.Count);
        Assert.Equal(0, buffer.Dropped);
        Assert.Null(buffer.PeekFirst());
    }
}
