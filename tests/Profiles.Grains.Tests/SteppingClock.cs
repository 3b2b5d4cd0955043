namespace Profiles.Grains.Tests;

/// <summary>A clock on which every wait ends at once, moving the clock on by as long as it was: a test of waits and
/// budgets runs in no time, and reads how long the code under test would have waited.</summary>
internal sealed class SteppingClock : TimeProvider
{
    private long _ticks = DateTimeOffset.UnixEpoch.Ticks;

    public TimeSpan Waited { get; private set; }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => new(GetTimestamp(), TimeSpan.Zero);

    public void Advance(TimeSpan by)
    {
        Interlocked.Add(ref _ticks, by.Ticks);
        Waited += by;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Advance(dueTime);
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new SpentTimer();
    }

    private sealed class SpentTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
