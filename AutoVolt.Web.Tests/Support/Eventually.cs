namespace AutoVolt.Web.Tests.Support;

public static class Eventually
{
    /// <summary>Polls <paramref name="probe"/> until it returns <paramref name="expected"/> or the timeout passes; returns the last value.</summary>
    public static async Task<T> EqualAsync<T>(T expected, Func<Task<T>> probe, int timeoutMs = 20_000)
    {
        var deadline = DateTimeOffset.UtcNow.AddMilliseconds(timeoutMs);
        T last;
        do
        {
            last = await probe();
            if (EqualityComparer<T>.Default.Equals(last, expected))
            {
                return last;
            }
            await Task.Delay(100);
        }
        while (DateTimeOffset.UtcNow < deadline);
        return last;
    }
}
