using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Bench.Scenarios;

/// <summary>What an open-loop lookup run measured.</summary>
public sealed class LookupStats
{
    public long Issued;
    public long Ok;
    public long NotFound;
    public long OtherStatus;
    public long Failed;
    public long Skipped;
    public double Seconds { get; set; }
    public int Rate { get; init; }
    /// <summary>From the intended start time (corrects coordinated omission).</summary>
    public LatencyRecorder Latency { get; } = new();
    /// <summary>From the moment the request was actually handed to HttpClient.</summary>
    public LatencyRecorder Service { get; } = new();
    /// <summary>From the intended start to the moment the request was handed over: the generator's own lag.</summary>
    public LatencyRecorder PacerLag { get; } = new();
    public ConcurrentQueue<string> Errors { get; } = new();
    /// <summary>Each answered lookup from its intended start to its answer, in Stopwatch ticks: what a pause of the
    /// node lines up with (<see cref="NodeGcTrace"/>).</summary>
    public ConcurrentQueue<(long From, long To)> Answered { get; } = new();

    public double Completed => Ok + NotFound + OtherStatus;
    public double PerSecond => Completed / Math.Max(Seconds, 1e-9);
}

/// <summary>
/// Issues GET /v1/profiles/lookup at a fixed rate whatever the answers' speed (open loop), each answer read as a
/// client reads it (<see cref="ProfilesHttpClient"/>): request k is due at t0 + k/rate; a pacer thread waking every millisecond launches every request that is due, and its latency is counted from
/// when it was due, so a stalled node shows as latency instead of as fewer requests.
/// </summary>
public static class LookupLoad
{
    private const int MaxInFlight = 20_000;

    /// <param name="fields">The parts of each profile to read (<see cref="ProfilePart"/>); null for the whole profile.</param>
    public static async Task<LookupStats> RunAsync(Nodes nodes, IReadOnlyList<IdentifierInput> identifiers, int rate, TimeSpan? duration,
        CancellationToken stop, IReadOnlyList<string>? fields = null)
    {
        var stats = new LookupStats { Rate = rate };
        if (rate <= 0 || identifiers.Count == 0) return stats;
        var inFlight = 0;
        var outstanding = 1; // the pacer itself; the last one to finish completes `done`
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Finish()
        {
            if (Interlocked.Decrement(ref outstanding) == 0) done.TrySetResult();
        }
        var t0 = Stopwatch.GetTimestamp();

        // A dedicated thread paces the requests: Thread.Sleep(1) wakes within ~0.1 ms of a millisecond on
        // Linux, far more regularly than a timer continuation on a thread pool busy with the responses.
        var pacer = new Thread(() =>
        {
            var end = duration is { } d ? t0 + (long)(d.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
            var ticksPerRequest = Stopwatch.Frequency / (double)rate;
            long k = 0;
            while (!stop.IsCancellationRequested)
            {
                var now = Stopwatch.GetTimestamp();
                if (now >= end) break;
                var due = (long)((now - t0) / ticksPerRequest) + 1;
                for (; k < due; k++)
                {
                    var intended = t0 + (long)(k * ticksPerRequest);
                    Interlocked.Increment(ref stats.Issued);
                    if (Volatile.Read(ref inFlight) >= MaxInFlight) { Interlocked.Increment(ref stats.Skipped); continue; }
                    Interlocked.Increment(ref inFlight);
                    Interlocked.Increment(ref outstanding);
                    var identifier = identifiers[(int)(k % identifiers.Count)];
                    _ = FireAsync(nodes.Next(), identifier, fields, intended, stats).ContinueWith(_ =>
                    {
                        Interlocked.Decrement(ref inFlight);
                        Finish();
                    }, TaskScheduler.Default);
                }
                Thread.Sleep(1);
            }
            stats.Seconds = Clock.Seconds(t0);
            Finish();
        })
        { IsBackground = true, Name = "lookup pacer", Priority = ThreadPriority.AboveNormal };
        pacer.Start();
        await done.Task.ConfigureAwait(false);
        return stats;
    }

    private static async Task FireAsync(ProfilesHttpClient node, IdentifierInput identifier, IReadOnlyList<string>? fields, long intended, LookupStats stats)
    {
        var sent = Stopwatch.GetTimestamp();
        stats.PacerLag.Record(sent - intended);
        try
        {
            var status = fields is null
                ? (await node.LookupAsync(identifier).ConfigureAwait(false)).Status
                : (await node.LookupAsync(identifier, fields).ConfigureAwait(false)).Status;
            stats.Answered.Enqueue((intended, Stopwatch.GetTimestamp()));
            stats.Latency.RecordSince(intended);
            stats.Service.RecordSince(sent);
            if (status == HttpStatusCode.OK) Interlocked.Increment(ref stats.Ok);
            else if (status == HttpStatusCode.NotFound) Interlocked.Increment(ref stats.NotFound);
            else
            {
                Interlocked.Increment(ref stats.OtherStatus);
                if (stats.Errors.Count < 10) stats.Errors.Enqueue($"HTTP {(int)status} for a lookup of {identifier.Type}");
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException)
        {
            Interlocked.Increment(ref stats.Failed);
            if (stats.Errors.Count < 10) stats.Errors.Enqueue($"{e.GetType().Name}: {e.Message}");
        }
    }
}
