using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Profiles.Contracts;

namespace Profiles.Bench.Faults;

/// <summary>
/// Writers as a real client runs them: each takes the next batch (paced, so the whole population is sent over the
/// load), posts it to the node it last used, and on a 503, a failure on the wire or no answer within
/// <see cref="AttemptTimeout"/> sends the same batch (the same touchpoint ids, so a retry is idempotent) to the next
/// node, backing off a little more each time, until a node answers 200 or it is told to give up.
/// </summary>
public sealed class RetryingWriters(Nodes nodes, IReadOnlyList<TouchpointSpec> order, int batch, int writers, TimeSpan spread, AnswerLog log)
{
    /// <summary>A client's own time-out: longer than any answer the nodes promise (a few seconds), so only a node
    /// that went silent meets it.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private const string Call = "POST /v1/touchpoints";

    private readonly TouchpointSpec[][] _batches = [.. order.Chunk(batch)];
    private readonly ConcurrentDictionary<string, string> _answers = new(StringComparer.Ordinal);
    private readonly List<TouchpointSpec> _acknowledged = [];
    private readonly ConcurrentQueue<string> _refusals = new();
    private int _taken;
    private int _givenUp;

    /// <summary>What a 200 said of each touchpoint: <c>accepted</c>, <c>duplicate</c> or <c>rejected</c>.</summary>
    public IReadOnlyDictionary<string, string> Answers => _answers;

    /// <summary>Touchpoints of batches that no node took before the writers gave up: their fate is unknown.</summary>
    public int Unacknowledged => Volatile.Read(ref _givenUp);

    /// <summary>Answers that no retry can change (a 4xx): the campaign sent something the API does not take.</summary>
    public IReadOnlyCollection<string> Refusals => _refusals;

    /// <summary>A touchpoint acknowledged so far (accepted or duplicate), drawn by <paramref name="rng"/>; null before
    /// the first.</summary>
    public TouchpointSpec? AnyAcknowledged(Random rng)
    {
        lock (_acknowledged) return _acknowledged.Count == 0 ? null : _acknowledged[rng.Next(_acknowledged.Count)];
    }

    /// <summary>Sends every batch; ends when each is answered, or when <paramref name="giveUp"/> fires.</summary>
    public Task RunAsync(CancellationToken giveUp) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(writer => WriteAsync(writer % nodes.Targets.Count, giveUp)));

    private async Task WriteAsync(int node, CancellationToken giveUp)
    {
        var json = new TouchpointJson();
        for (var index = Interlocked.Increment(ref _taken) - 1; index < _batches.Length; index = Interlocked.Increment(ref _taken) - 1)
        {
            var items = _batches[index];
            try
            {
                var due = spread * index / _batches.Length - log.Now;
                if (due > TimeSpan.Zero) await Task.Delay(due, giveUp).ConfigureAwait(false);
                var body = json.WriteBatch(items, 0, items.Length);
                for (var attempt = 1; !await TrySendAsync(node, body, items, giveUp).ConfigureAwait(false); attempt++)
                {
                    node = (node + 1) % nodes.Targets.Count;
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * attempt, 1000)), giveUp).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
            {
                Interlocked.Add(ref _givenUp, items.Length);
            }
        }
    }

    /// <returns>True when the batch needs no more sending: answered 200, or refused for good.</returns>
    private async Task<bool> TrySendAsync(int node, ReadOnlyMemory<byte> body, TouchpointSpec[] items, CancellationToken giveUp)
    {
        var sentAt = log.Now;
        try
        {
            var answer = await nodes.On(nodes.Targets[node]).IngestAsync(body, giveUp).ConfigureAwait(false);
            log.Record(node, sentAt, (int)answer.Status, Call, answer.Problem?.Detail ?? answer.Problem?.Title);
            if (answer.Succeeded)
            {
                Acknowledge(items, answer.Value);
                return true;
            }
            if ((int)answer.Status is >= 400 and < 500 && answer.Status != HttpStatusCode.TooManyRequests)
            {
                _refusals.Enqueue($"{Call} answered {ProfileReport.Refusal(answer)}");
                return true;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException && !giveUp.IsCancellationRequested)
        {
            log.Record(node, sentAt, null, Call);
        }
        return false;
    }

    private void Acknowledge(TouchpointSpec[] items, TouchpointResult[] results)
    {
        var landed = new List<TouchpointSpec>(items.Length);
        foreach (var (item, result) in items.Zip(results))
        {
            _answers[item.Id] = result.Status;
            if (result.Status is TouchpointResult.Accepted or TouchpointResult.Duplicate) landed.Add(item);
            else _refusals.Enqueue($"touchpoint {item.Id} was {result.Status}: {result.Error}");
        }
        if (results.Length != items.Length) _refusals.Enqueue($"{Call} answered {results.Length} results for {items.Length} touchpoints");
        lock (_acknowledged) _acknowledged.AddRange(landed);
    }
}
