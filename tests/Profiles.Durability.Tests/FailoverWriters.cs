using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>
/// Writers as a client of a cluster runs them through a fault: each takes the next batch and sends it to the node
/// it last succeeded with; a 503, a connection error or no answer within <c>attemptTimeout</c> moves it to the
/// other node, where it retries the same batch (the same touchpoint ids, so a retry is safe). They keep going
/// until told to stop, and finish the batch they hold.
/// </summary>
public sealed class FailoverWriters
{
    /// <summary>One answer a node gave (or no answer: <see cref="Status"/> null), on the test's clock.</summary>
    public sealed record Answer(TimeSpan At, NodeProcess Node, HttpStatusCode? Status, TimeSpan Took, int Landed);

    /// <summary>Longer than any recovery the tests accept: a batch no node takes in this time fails the test.</summary>
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyList<NodeProcess> _nodes;
    private readonly TouchpointSpec[][] _batches;
    private readonly Stopwatch _clock;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeSpan _pause;
    private readonly ConcurrentDictionary<string, string> _statuses = new();
    private readonly ConcurrentDictionary<string, NodeProcess> _landedOn = new();
    private readonly ConcurrentQueue<Answer> _answers = new();
    private int _taken;

    private FailoverWriters(IReadOnlyList<NodeProcess> nodes, IReadOnlyList<TouchpointSpec> touchpoints, int batch, Stopwatch clock, TimeSpan attemptTimeout, TimeSpan pause)
    {
        _nodes = nodes;
        _batches = [.. touchpoints.Chunk(batch)];
        _clock = clock;
        _attemptTimeout = attemptTimeout;
        _pause = pause;
    }

    /// <summary>Ends when every writer has stopped; faults if one met an answer no client should get.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Final status by touchpoint id, for every touchpoint sent.</summary>
    public IReadOnlyDictionary<string, string> Statuses => _statuses;

    public IReadOnlyCollection<Answer> Answers => _answers;

    /// <summary>The touchpoints a node answered first, in the order they were sent.</summary>
    public IEnumerable<TouchpointSpec> LandedFirstOn(NodeProcess node) => Sent.Where(t => _landedOn.TryGetValue(t.Id, out var on) && on == node);

    /// <summary>The touchpoints of every batch a writer took; each was retried until a node answered 200.</summary>
    public IEnumerable<TouchpointSpec> Sent => _batches.Take(Math.Min(_taken, _batches.Length)).SelectMany(batch => batch);

    /// <param name="pause">How long each writer waits after a batch landed before it takes the next: a steady trickle
    /// instead of all a machine takes, for a test that reads back everything it sent.</param>
    public static FailoverWriters Start(IReadOnlyList<NodeProcess> nodes, IReadOnlyList<TouchpointSpec> touchpoints, int writers, int batch,
        Stopwatch clock, TimeSpan attemptTimeout, CancellationToken stop, TimeSpan pause = default)
    {
        var started = new FailoverWriters(nodes, touchpoints, batch, clock, attemptTimeout, pause);
        started.Completion = Task.WhenAll(Enumerable.Range(0, writers).Select(writer => started.WriteAsync(writer % nodes.Count, stop)));
        return started;
    }

    /// <summary>Touchpoints that landed (accepted or duplicate) per second, in the window on the test's clock.</summary>
    public double LandedPerSecond(TimeSpan from, TimeSpan to) =>
        _answers.Where(a => a.Status == HttpStatusCode.OK && a.At >= from && a.At < to).Sum(a => a.Landed) / (to - from).TotalSeconds;

    /// <summary>When the node took every batch again for good: its first answer after <paramref name="since"/> from
    /// which on it answered only 200; null while it has not.</summary>
    public TimeSpan? TakingEverythingSince(NodeProcess node, TimeSpan since) => TakingEverythingSince(_answers.Where(a => a.Node == node), since);

    /// <summary>When the nodes took every batch again for good, whichever node each went to.</summary>
    public TimeSpan? TakingEverythingSince(TimeSpan since) => TakingEverythingSince(_answers, since);

    private static TimeSpan? TakingEverythingSince(IEnumerable<Answer> of, TimeSpan since)
    {
        var answers = of.Where(a => a.At >= since).OrderBy(a => a.At).ToList();
        var lastFailure = answers.FindLastIndex(a => a.Status != HttpStatusCode.OK);
        return lastFailure + 1 < answers.Count ? answers[lastFailure + 1].At : null;
    }

    private async Task WriteAsync(int node, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var index = Interlocked.Increment(ref _taken) - 1;
            if (index >= _batches.Length) throw new InvalidOperationException("The writers ran out of touchpoints; give them more.");
            var body = TouchpointJson.Array(_batches[index]);
            var giveUp = _clock.Elapsed + BatchTimeout;
            while (!await TrySendAsync(_nodes[node], body))
            {
                if (_clock.Elapsed > giveUp) throw new TimeoutException($"No node took a batch in {BatchTimeout.TotalSeconds} s:\n{_nodes[node].LogTail}");
                node = (node + 1) % _nodes.Count;
                await Task.Delay(100, CancellationToken.None);
            }
            await Task.Delay(_pause, CancellationToken.None);
        }
    }

    private async Task<bool> TrySendAsync(NodeProcess node, string body)
    {
        var sent = _clock.Elapsed;
        using var timeout = new CancellationTokenSource(_attemptTimeout);
        try
        {
            using var response = await node.Http.PostAsync("/v1/touchpoints", new StringContent(body, Encoding.UTF8, "application/json"), timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var landed = 0;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                foreach (var result in JsonNode.Parse(text)!.AsArray())
                {
                    var id = (string)result!["id"]!;
                    _statuses[id] = (string)result["status"]!;
                    _landedOn.TryAdd(id, node);
                    landed++;
                }
            }
            else if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                throw new InvalidOperationException($"POST /v1/touchpoints answered {response.StatusCode}: {text}\n{node.LogTail}");
            }
            _answers.Enqueue(new Answer(_clock.Elapsed, node, response.StatusCode, _clock.Elapsed - sent, landed));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            _answers.Enqueue(new Answer(_clock.Elapsed, node, null, _clock.Elapsed - sent, 0));
            return false;
        }
    }
}
