using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Profiles.Bench.Scenarios;

/// <summary>What one replay produced.</summary>
public sealed class IngestStats
{
    public long Sent;
    public long Accepted;
    public long Duplicate;
    public long Rejected;
    public long FailedRequests;
    public long Retries;
    public int Batch { get; init; }
    public volatile bool NodeUnreachable;
    public double Seconds { get; set; }
    public LatencyRecorder Latency { get; } = new();
    public ConcurrentQueue<string> Errors { get; } = new();

    public double PerSecond => Sent / Math.Max(Seconds, 1e-9);

    public void Error(string e)
    {
        if (Errors.Count < 20) Errors.Enqueue(e);
    }
}

/// <summary>C writers take the next B touchpoints of a list and POST them as one array, until the list is
/// done. Each request's latency is recorded; failed requests (transport errors, 5xx, 429) are retried up to
/// three times, which the idempotency key makes safe. With a rate, the batch starting at item s is not sent before
/// start + (s - from) / rate seconds: the writers stay closed-loop below the rate, open-loop pacing caps it.</summary>
public static class Replayer
{
    public static async Task<IngestStats> ReplayAsync(NodeClient client, IReadOnlyList<TouchpointSpec> items, int from, int to,
        int batch, int writers, Action<long> progress, CancellationToken ct, double rate = 0)
    {
        var stats = new IngestStats { Batch = batch };
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = abort.Token;
        var next = from;
        var start = Stopwatch.GetTimestamp();
        var tasks = new Task[Math.Max(1, Math.Min(writers, (to - from + batch - 1) / batch))];
        for (var w = 0; w < tasks.Length; w++)
            tasks[w] = Task.Run(async () =>
            {
                var json = new TouchpointJson();
                var scratch = new ResponseBuffer();
                while (!token.IsCancellationRequested)
                {
                    var s = Interlocked.Add(ref next, batch) - batch;
                    if (s >= to) break;
                    var e = Math.Min(s + batch, to);
                    if (rate > 0)
                    {
                        var due = start + (long)((s - from) / rate * Stopwatch.Frequency);
                        var wait = due - Stopwatch.GetTimestamp();
                        if (wait > 0)
                        {
                            try { await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), token).ConfigureAwait(false); }
                            catch (OperationCanceledException) { break; }
                        }
                    }
                    var body = json.WriteBatch(items, s, e);
                    var outcome = await SendAsync(client, body, e - s, scratch, stats, ct).ConfigureAwait(false);
                    progress(e - s);
                    if (outcome is null && stats.NodeUnreachable)
                    {
                        // Every retry was refused: the node is gone; stop instead of hammering it.
                        await abort.CancelAsync().ConfigureAwait(false);
                    }
                }
            }, CancellationToken.None);
        await Task.WhenAll(tasks).ConfigureAwait(false);
        if (stats.NodeUnreachable && !ct.IsCancellationRequested)
            throw new NodeDownException($"a node refused connections after {stats.Accepted:N0} accepted touchpoints: {stats.Errors.LastOrDefault()}");
        stats.Seconds = Clock.Seconds(start);
        return stats;
    }

    public static async Task<BatchOutcome?> SendAsync(NodeClient client, ReadOnlyMemory<byte> body, int count, ResponseBuffer scratch,
        IngestStats stats, CancellationToken ct)
    {
        var t0 = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            string? failure;
            var refused = false;
            try
            {
                var o = await client.PostTouchpointsAsync(body, scratch, ct).ConfigureAwait(false);
                if (o.Status == HttpStatusCode.OK)
                {
                    stats.Latency.RecordSince(t0);
                    Interlocked.Add(ref stats.Sent, count);
                    Interlocked.Add(ref stats.Accepted, o.Accepted);
                    Interlocked.Add(ref stats.Duplicate, o.Duplicate);
                    Interlocked.Add(ref stats.Rejected, o.Rejected);
                    if (o.Accepted + o.Duplicate + o.Rejected != count)
                        stats.Error($"answer has {o.Accepted + o.Duplicate + o.Rejected} results for {count} touchpoints");
                    if (o.Rejected > 0 && o.Error is not null) stats.Error($"rejected: {o.Error}");
                    return o;
                }
                failure = o.Error;
                if ((int)o.Status < 500 && o.Status != HttpStatusCode.TooManyRequests) attempt = int.MaxValue; // not retryable
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !ct.IsCancellationRequested)
            {
                failure = $"{e.GetType().Name}: {e.Message}";
                refused = e is HttpRequestException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } };
            }
            if (attempt >= 3)
            {
                Interlocked.Increment(ref stats.FailedRequests);
                if (refused) stats.NodeUnreachable = true;
                Interlocked.Add(ref stats.Sent, count);
                stats.Error(failure ?? "failed");
                return null;
            }
            Interlocked.Increment(ref stats.Retries);
            await Task.Delay(100 * attempt, ct).ConfigureAwait(false);
        }
    }
}

/// <summary>A node stopped answering (connection refused): the run cannot go on.</summary>
public sealed class NodeDownException(string message) : Exception(message);
