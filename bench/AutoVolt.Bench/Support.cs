using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using NodaTime;

namespace AutoVolt.Bench;

/// <summary>Hangfire client that drops jobs: the bench runs the jobs itself.</summary>
internal sealed class NoJobs : IBackgroundJobClient
{
    public string Create(Job job, IState state) => "bench";

    public bool ChangeState(string jobId, IState state, string expectedState) => true;
}

/// <summary>A fixed clock (after every seeded reading, so all are settled).</summary>
internal sealed class BenchClock(Instant now) : IClock
{
    public Instant GetCurrentInstant() => now;
}
