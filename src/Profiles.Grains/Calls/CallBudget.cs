namespace Profiles.Grains.Calls;

/// <summary>
/// How long one operation (an ingest, a read, an operator's correction, a resolution holding its component) waits
/// for the profiles it concerns to settle: held by a resolution, taken over by another activation, re-pointed under
/// it. Every caller has the same <see cref="Length"/>, and none waits longer: a spent budget throws
/// <see cref="CallBudgetSpentException"/>, which the API answers with 503.
/// </summary>
public sealed class CallBudget
{
    /// <summary>
    /// Longer than a resolution of a large component takes, and than one whose node died takes to finish elsewhere (a
    /// profile it holds asks it to go on after 5 s, and the cluster declares a dead node within 9 to 12 s). HTTP
    /// answers a client sooner than this anyway (a read within <c>Profiles:ReadDeadline</c>, an ingest under failure
    /// within 3 s), so the budget only bounds work nobody may be waiting for any more.
    /// </summary>
    public static readonly TimeSpan Length = TimeSpan.FromSeconds(20);

    /// <summary>The longest pause between two attempts: a hold usually ends within milliseconds.</summary>
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(250);

    private readonly TimeProvider _time;
    private readonly long _started;

    private CallBudget(TimeProvider time)
    {
        _time = time;
        _started = time.GetTimestamp();
    }

    public static CallBudget Start(TimeProvider time) => new(time);

    public bool IsSpent => _time.GetElapsedTime(_started) > Length;

    /// <param name="what">What kept the operation from completing, as a sentence without its full stop.</param>
    /// <exception cref="CallBudgetSpentException">The budget is spent.</exception>
    public void ThrowIfSpent(string what)
    {
        if (IsSpent) throw new CallBudgetSpentException($"{what}, for longer than the {Length.TotalSeconds:0} s a caller waits.");
    }

    /// <summary>Pauses before attempt <paramref name="attempt"/> (the second is 2): 20 ms, growing by as much each
    /// time up to 250 ms.</summary>
    public Task PauseAsync(int attempt) =>
        Task.Delay(TimeSpan.FromMilliseconds(Math.Min(20 * (attempt - 1), LongestPause.TotalMilliseconds)), _time);
}
