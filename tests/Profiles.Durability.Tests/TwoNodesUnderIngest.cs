using System.Diagnostics;
using System.Text.RegularExpressions;
using Profiles.Contracts;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>
/// The scene of the partition tests: two nodes on one Redis, the second run as <see cref="NetworkCut.User"/> so
/// that it alone can be cut off, 16 writers ingesting through both with failover, and a storefront looking up,
/// on the first node, identifiers that landed before any fault.
/// </summary>
public sealed partial class TwoNodesUnderIngest : IAsyncDisposable
{
    /// <summary>How long a writer waits for an answer before it tries the other node, as a client with a
    /// deadline would.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stop = new();

    private TwoNodesUnderIngest(RedisServer redis, NodeProcess survivor, NodeProcess victim)
    {
        (Redis, Survivor, Victim) = (redis, survivor, victim);
    }

    public RedisServer Redis { get; }

    public NodeProcess Survivor { get; }

    /// <summary>The node to cut off.</summary>
    public NodeProcess Victim { get; }

    /// <summary>The clock every answer is timed on.</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public FailoverWriters Writers { get; private set; } = null!;

    public LookupSampler Sampler { get; private set; } = null!;

    /// <summary>Identifiers of touchpoints that landed before the sampler started, three quarters of them first seen
    /// by the node to cut off.</summary>
    public IReadOnlyList<IdentifierInput> Sample { get; private set; } = [];

    /// <summary>Starts the scene and returns once the sampler has run and ingest has been steady for
    /// <paramref name="steady"/>, with grains on both nodes.</summary>
    public static async Task<TwoNodesUnderIngest> StartAsync(string run, int seed, TimeSpan steady)
    {
        await NetworkCut.PrepareAsync();
        var redis = await RedisServer.StartAsync();
        var nodes = new List<NodeProcess>();
        try
        {
            nodes.Add(await NodeProcess.StartAsync(redis.ConnectionString, run, Cluster.NoLimits));
            nodes.Add(await NodeProcess.StartAsUserAsync(NetworkCut.User, redis.ConnectionString, run, Cluster.NoLimits));
        }
        catch
        {
            // xunit disposes nothing that was not returned: leave no process behind.
            foreach (var node in nodes) await node.DisposeAsync();
            await redis.DisposeAsync();
            throw;
        }
        var scene = new TwoNodesUnderIngest(redis, nodes[0], nodes[1]);
        try
        {
            await scene.StartTrafficAsync(run, seed, steady);
            return scene;
        }
        catch
        {
            await scene.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the writers (each finishes the batch it holds) and the sampler.</summary>
    public async Task StopTrafficAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(Writers.Completion, Sampler.Completion);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Victim.DisposeAsync();
        await Survivor.DisposeAsync();
        await Redis.DisposeAsync();
        _stop.Dispose();
    }

    private async Task StartTrafficAsync(string run, int seed, TimeSpan steady)
    {
        // Customers enough for the writers to run for minutes without one hot profile; only what they send is checked.
        var touchpoints = new OverlappingLinksPopulation(run, seed, customers: 3000, identifiersPerCustomer: 3).Touchpoints(200_000);
        Writers = FailoverWriters.Start([Survivor, Victim], touchpoints, writers: 16, batch: 20, Clock, AttemptTimeout, _stop.Token);
        while (Writers.Statuses.Count < 2000)
        {
            if (Writers.Completion.IsFaulted) await Writers.Completion;
            await Task.Delay(100);
        }
        // Mostly customers first seen by the node to cut off, whose grains it is likely to hold (a new grain goes to the
        // node that calls it first unless that node is much busier), and some first seen by the survivor.
        Sample = [.. Writers.LandedFirstOn(Victim).SelectMany(t => t.Identifiers).Distinct().Take(48),
                  .. Writers.LandedFirstOn(Survivor).SelectMany(t => t.Identifiers).Distinct().Take(12)];
        Sampler = LookupSampler.Start(Survivor, Sample, Clock, _stop.Token);
        await Task.Delay(steady);
        if (await ActiveGrainsAsync(Victim) == 0) throw new InvalidOperationException("The node to cut off hosts no grain, so a cut would test nothing.");
    }

    private static async Task<int> ActiveGrainsAsync(NodeProcess node) =>
        GrainGauge().Matches(await node.Http.GetStringAsync("/metrics")).Sum(m => int.Parse(m.Groups[1].Value));

    [GeneratedRegex(@"^orleans_grains\{[^}]*\} (\d+)", RegexOptions.Multiline)]
    private static partial Regex GrainGauge();
}
