using NodaTime;

namespace AutoVolt.Infrastructure.Aggregation;

/// <summary>
/// Jobs publish here after committing new aggregates; dashboard circuits subscribe (in-process).
/// </summary>
public sealed class AggregationNotifier
{
    private readonly Lock _gate = new();
    private readonly List<Action<IReadOnlyList<(string DeviceKey, LocalDate Date)>>> _subscribers = [];

    public IDisposable Subscribe(Action<IReadOnlyList<(string DeviceKey, LocalDate Date)>> onChanged)
    {
        lock (_gate)
        {
            _subscribers.Add(onChanged);
        }
        return new Subscription(this, onChanged);
    }

    public void Publish(IReadOnlyList<(string DeviceKey, LocalDate Date)> changed)
    {
        Action<IReadOnlyList<(string DeviceKey, LocalDate Date)>>[] copy;
        lock (_gate)
        {
            copy = [.. _subscribers];
        }
        foreach (var s in copy)
        {
            s(changed);
        }
    }

    private sealed class Subscription(AggregationNotifier owner, Action<IReadOnlyList<(string DeviceKey, LocalDate Date)>> action) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._subscribers.Remove(action);
            }
        }
    }
}
