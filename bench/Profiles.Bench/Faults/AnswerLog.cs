using System.Collections.Concurrent;
using System.Diagnostics;

namespace Profiles.Bench.Faults;

/// <summary>One request a client sent a node: what it asked (<c>POST /v1/touchpoints</c>), when (on the schedule's
/// clock), how long until its answer, and the status; a null status is no answer: the connection failed, or the
/// client's own time-out passed.</summary>
public readonly record struct Attempt(string Call, int Node, TimeSpan SentAt, TimeSpan Took, int? Status);

/// <summary>Every request the writers and the reader sent during a schedule, and every answer no client should ever
/// get: a 5xx other than 503 (a 503 is the API's "not now, try again"), from them or from the checks.</summary>
public sealed class AnswerLog(Stopwatch clock)
{
    private readonly ConcurrentQueue<Attempt> _attempts = new();
    private readonly ConcurrentQueue<string> _serverErrors = new();

    public TimeSpan Now => clock.Elapsed;

    public IReadOnlyCollection<string> ServerErrors => _serverErrors;

    /// <param name="call">What was asked, for the report of a 5xx: <c>POST /v1/touchpoints</c>.</param>
    /// <param name="detail">What the node said, when it answered.</param>
    public void Record(int node, TimeSpan sentAt, int? status, string call, string? detail = null)
    {
        _attempts.Enqueue(new Attempt(call, node, sentAt, Now - sentAt, status));
        if (IsServerError(status)) NoteServerError(node, status!.Value, call, detail);
    }

    /// <summary>A 5xx answered to a check, which is not timed.</summary>
    public void NoteServerError(int node, int status, string call, string? detail) =>
        _serverErrors.Enqueue($"{call} on node {node + 1} answered {status}{(detail is null ? "" : $": {detail}")} at {Now.TotalSeconds:0.0} s");

    public static bool IsServerError(int? status) => status is >= 500 and not 503;

    /// <summary>The request sent between <paramref name="from"/> and <paramref name="to"/> that waited longest for its
    /// answer (or for nothing: a null status), leaving out the node a fault hit (none when null), and a request still
    /// waiting when <paramref name="next"/> struck its node (a Redis fault strikes every node): that wait is the next
    /// fault's.</summary>
    public Attempt? Slowest(TimeSpan from, TimeSpan to, int? leftOut, FaultRun? next) =>
        _attempts.Where(a => a.SentAt >= from && a.SentAt <= to && a.Node != leftOut && !StillWaitingWhen(next, a))
            .OrderByDescending(a => a.Took).Cast<Attempt?>().FirstOrDefault();

    private static bool StillWaitingWhen(FaultRun? next, Attempt attempt) =>
        next is not null && attempt.SentAt + attempt.Took > next.Struck && (!next.Fault.HitsOneNode || next.Fault.Target == attempt.Node);
}
