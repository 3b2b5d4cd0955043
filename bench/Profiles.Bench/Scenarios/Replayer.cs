using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Profiles.Contracts;

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
    public static async Task<IngestStats> ReplayAsync(Nodes nodes, IReadOnlyList<TouchpointSpec> items, int from, int to,
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
                    var results = await SendAsync(nodes, body, e - s, stats, ct).ConfigureAwait(false);
                    progress(e - s);
                    if (results is null && stats.NodeUnreachable)
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

    /// <summary>Posts one batch, sent again (to the next node) up to twice on a failure that may pass, and counts what
    /// became of it in <paramref name="stats"/>.</summary>
    /// <returns>The node's results; null when the request failed, which <paramref name="stats"/> holds.</returns>
    public static async Task<TouchpointResult[]?> SendAsync(Nodes nodes, ReadOnlyMemory<byte> body, int count,
        IngestStats stats, CancellationToken ct)
    {
        var t0 = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            var refused = false;
            try
            {
                var answer = await nodes.Next().IngestAsync(body, ct).ConfigureAwait(false);
                if (answer.Succeeded)
                {
                    stats.Latency.RecordSince(t0);
                    var results = answer.Value;
                    Interlocked.Add(ref stats.Sent, count);
                    Interlocked.Add(ref stats.Accepted, results.Count(r => r.Status == TouchpointResult.Accepted));
                    Interlocked.Add(ref stats.Duplicate, results.Count(r => r.Status == TouchpointResult.Duplicate));
                    Interlocked.Add(ref stats.Rejected, results.Count(r => r.Status == TouchpointResult.Rejected));
                    if (results.Length != count) stats.Error($"answer has {results.Length} results for {count} touchpoints");
                    if (results.FirstOrDefault(r => r.Error is not null) is { } rejected) stats.Error($"rejected: {rejected.Error}");
                    return results;
                }
                failure = $"HTTP {ProfileReport.Refusal(answer)}";
                if ((int)answer.Status < 500 && answer.Status != HttpStatusCode.TooManyRequests) attempt = int.MaxValue; // not retryable
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException && !ct.IsCancellationRequested)
            {
                failure = $"{e.GetType().Name}: {e.Message}";
                refused = e is HttpRequestException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } };
            }
            if (attempt >= 3)
            {
                Interlocked.Increment(ref stats.FailedRequests);
                if (refused) stats.NodeUnreachable = true;
                Interlocked.Add(ref stats.Sent, count);
                stats.Error(failure);
                return null;
            }
            Interlocked.Increment(ref stats.Retries);
            await Task.Delay(100 * attempt, ct).ConfigureAwait(false);
        }
    }
}

/// <summary>A node stopped answering (connection refused): the run cannot go on.</summary>
public sealed class NodeDownException(string message) : Exception(message);
