using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace Profiles.Bench.Faults;

/// <summary>
/// A storefront reading while the writers write and the faults strike: <see cref="PerSecond"/> lookups a second, each
/// of an identifier of a touchpoint already acknowledged, round-robin over the nodes, with the writers' time-out. A 404
/// for one is a stale read: an acknowledged touchpoint that a client could not see.
/// </summary>
public sealed class LookupReader(Nodes nodes, RetryingWriters writers, AnswerLog log)
{
    public const int PerSecond = 20;

    private const string Call = "GET /v1/profiles/lookup";

    private readonly ConcurrentQueue<string> _staleReads = new();

    public IReadOnlyCollection<string> StaleReads => _staleReads;

    public async Task RunAsync(int seed, CancellationToken stop)
    {
        var rng = new Random(seed);
        var reads = new List<Task>();
        using var pace = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / PerSecond));
        try
        {
            for (var node = 0; await pace.WaitForNextTickAsync(stop).ConfigureAwait(false); node = (node + 1) % nodes.Targets.Count)
            {
                if (writers.AnyAcknowledged(rng) is not { } touchpoint) continue;
                reads.Add(ReadAsync(node, touchpoint, stop));
                reads.RemoveAll(read => read.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        await Task.WhenAll(reads).ConfigureAwait(false);
    }

    private async Task ReadAsync(int node, TouchpointSpec touchpoint, CancellationToken stop)
    {
        var sentAt = log.Now;
        try
        {
            var answer = await nodes.On(nodes.Targets[node]).LookupAsync(touchpoint.Identifiers[0], stop).ConfigureAwait(false);
            log.Record(node, sentAt, (int)answer.Status, Call, answer.Problem?.Detail ?? answer.Problem?.Title);
            if (answer.Status == HttpStatusCode.NotFound)
                _staleReads.Enqueue($"node {node + 1} answered 404 at {sentAt.TotalSeconds:0.0} s for a {touchpoint.Identifiers[0].Type} of touchpoint {touchpoint.Id}, acknowledged before");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException && !stop.IsCancellationRequested)
        {
            log.Record(node, sentAt, null, Call);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
