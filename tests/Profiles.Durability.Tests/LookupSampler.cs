using System.Diagnostics;
using System.Net;
using Profiles.Contracts;
using Profiles.Contracts.Http;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>
/// A storefront looking customers up on one node, over and over: each sweep looks every sampled identifier up at
/// once and waits for every answer, however long it takes, so a hung request shows as a slow sweep.
/// </summary>
public sealed class LookupSampler
{
    /// <summary>One sweep, on the test's clock: how many lookups did not answer 200, and the slowest answer.</summary>
    public sealed record Sweep(TimeSpan Start, TimeSpan End, int Failed, TimeSpan Slowest);

    private readonly List<Sweep> _sweeps = [];

    private LookupSampler()
    {
    }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public IReadOnlyList<Sweep> Sweeps
    {
        get
        {
            lock (_sweeps) return [.. _sweeps];
        }
    }

    public static LookupSampler Start(NodeProcess node, IReadOnlyList<IdentifierInput> identifiers, Stopwatch clock, CancellationToken stop)
    {
        var sampler = new LookupSampler();
        sampler.Completion = sampler.RunAsync(node, identifiers, clock, stop);
        return sampler;
    }

    /// <summary>When the node answered every lookup again for good: the end of the first sweep after
    /// <paramref name="since"/> from which on every sweep answered everything; null while it has not.</summary>
    public TimeSpan? AnsweringEverythingSince(TimeSpan since)
    {
        var after = Sweeps.Where(s => s.Start >= since).ToList();
        var lastFailure = after.FindLastIndex(s => s.Failed > 0);
        return lastFailure + 1 < after.Count ? after[lastFailure + 1].End : null;
    }

    private async Task RunAsync(NodeProcess node, IReadOnlyList<IdentifierInput> identifiers, Stopwatch clock, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var start = clock.Elapsed;
            var answers = await Task.WhenAll(identifiers.Select(async identifier =>
            {
                var sent = clock.Elapsed;
                try
                {
                    using var response = await node.Http.GetAsync(ApiPaths.Lookup(identifier));
                    return (response.StatusCode == HttpStatusCode.OK, clock.Elapsed - sent);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return (false, clock.Elapsed - sent);
                }
            }));
            lock (_sweeps) _sweeps.Add(new Sweep(start, clock.Elapsed, answers.Count(a => !a.Item1), answers.Max(a => a.Item2)));
            await Task.Delay(200, CancellationToken.None);
        }
    }
}
