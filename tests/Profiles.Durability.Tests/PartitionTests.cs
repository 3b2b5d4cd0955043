using System.Net;
using Profiles.Contracts.Http;
using Profiles.Testing;
using Xunit.Abstractions;

namespace Profiles.Durability.Tests;

/// <summary>
/// A node cut off by the network while 16 writers ingest through both nodes, its packets silently
/// dropped by iptables, and a node cut off from Redis alone. They measure recovery times, so they run alone.
/// </summary>
[Collection(Alone)]
public class PartitionTests(ITestOutputHelper output)
{
    public const string Alone = "Partition tests, which measure recovery times";

    /// <summary>From the cut until the survivor answers every sampled lookup again, at most.</summary>
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(20);

    /// <summary>The longest a client waits for any answer of the survivor, even a 503.</summary>
    private static readonly TimeSpan AnswerLimit = TimeSpan.FromSeconds(5);

    /// <summary>The steady ingest measured before the cut, and again once the survivor answers everything.</summary>
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(6);

    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task A_node_cut_off_by_the_network_during_ingest_costs_the_survivor_seconds_and_loses_nothing()
    {
        await using var scene = await TwoNodesUnderIngest.StartAsync(_run, seed: 15, steady: RateWindow);

        var cutAt = scene.Clock.Elapsed;
        var cut = await NetworkCut.CutAsync();
        var servingAt = await WatchRecoveryAsync(scene, cutAt);
        await scene.StopTrafficAsync();
        AssertSurvivorRecovered(scene, cutAt, servingAt);
        // Which grains the cut-off node holds is up to Orleans' placement: some runs sample no lookup that needs it.
        Assert.True(scene.Sampler.Sweeps.Any(s => s.End >= cutAt && s.Failed > 0) || scene.Writers.TakingEverythingSince(scene.Survivor, cutAt) > cutAt + TimeSpan.FromSeconds(1),
            "neither a sampled lookup nor a batch sent to the survivor needed the cut-off node, so the recovery measured nothing");

        // Healed, the cut-off node learns it was declared dead and stops; started again, it joins.
        await cut.HealAsync();
        Assert.True(await scene.Victim.ExitsWithinAsync(TimeSpan.FromSeconds(30)), $"the cut-off node still runs after the cut healed:\n{scene.Victim.LogTail}");
        await using var restarted = await NodeProcess.StartAsUserAsync(NetworkCut.User, scene.Redis.ConnectionString, _run, Cluster.NoLimits);
        await AssertNothingLostOrDoubledAsync(scene.Writers, scene.Survivor, restarted);
    }

    [Fact]
    public async Task A_node_cut_off_from_Redis_answers_503_and_stops_while_the_other_keeps_serving()
    {
        await using var scene = await TwoNodesUnderIngest.StartAsync(_run, seed: 16, steady: RateWindow);

        var cutAt = scene.Clock.Elapsed;
        var cut = await NetworkCut.CutAsync(scene.Redis.Port);
        var refusedAt = await FirstRefusalAsync(scene);
        output.WriteLine($"The node cut off from Redis answered 503 to a lookup, to ingest and to /health/ready {(refusedAt - cutAt).TotalSeconds:F1} s after the cut.");
        var servingAt = await WatchRecoveryAsync(scene, cutAt);
        await scene.StopTrafficAsync();
        AssertSurvivorRecovered(scene, cutAt, servingAt);
        Assert.True(scene.Victim.HasExited, "the node cut off from Redis still runs, although the other node reaches Redis and could take over its grains");

        // Healed, the node is started again, as its supervisor would, and joins.
        await cut.HealAsync();
        await using var restarted = await NodeProcess.StartAsUserAsync(NetworkCut.User, scene.Redis.ConnectionString, _run, Cluster.NoLimits);
        await AssertNothingLostOrDoubledAsync(scene.Writers, scene.Survivor, restarted);
    }

    /// <summary>Watches the survivor past the recovery the tests accept, so a late failure counts, then until it has
    /// served everything for the rate window; a minute at most. Returns when it serves everything again.</summary>
    private static async Task<TimeSpan?> WatchRecoveryAsync(TwoNodesUnderIngest scene, TimeSpan cutAt)
    {
        while (scene.Clock.Elapsed < cutAt + TimeSpan.FromSeconds(60))
        {
            if (scene.Clock.Elapsed > cutAt + RecoveryLimit + TimeSpan.FromSeconds(5)
                && ServingEverythingSince(scene, cutAt) is { } since && scene.Clock.Elapsed > since + RateWindow) return since;
            await Task.Delay(200);
        }
        return ServingEverythingSince(scene, cutAt);
    }

    /// <summary>From when on the survivor answered every sampled lookup and took every batch.</summary>
    private static TimeSpan? ServingEverythingSince(TwoNodesUnderIngest scene, TimeSpan cutAt) =>
        (scene.Sampler.AnsweringEverythingSince(cutAt), scene.Writers.TakingEverythingSince(scene.Survivor, cutAt)) switch
        {
            ({ } lookups, { } ingest) => lookups > ingest ? lookups : ingest,
            _ => null,
        };

    /// <summary>When the node to cut off first answered 503 to a lookup, to ingest and to /health/ready, all three;
    /// fails after 10 s.</summary>
    private static async Task<TimeSpan> FirstRefusalAsync(TwoNodesUnderIngest scene)
    {
        var identifier = scene.Sample[0];
        // A customer of its own, outside what the writers send and what is checked.
        var touchpoint = TouchpointJson.Make($"{identifier.Value}-refused", "web", "page_view", null, ("cookie", $"{identifier.Value}-refused")).ToJsonString();
        var deadline = scene.Clock.Elapsed + TimeSpan.FromSeconds(10);
        while (scene.Clock.Elapsed < deadline)
        {
            var (lookup, _) = await scene.Victim.Api.GetAsync(ApiPaths.Lookup(identifier));
            var (ingest, _) = await scene.Victim.Api.PostAsync(touchpoint);
            var (ready, _) = await scene.Victim.Api.GetAsync("/health/ready");
            if (new[] { lookup, ingest, ready }.All(status => status == HttpStatusCode.ServiceUnavailable)) return scene.Clock.Elapsed;
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException($"The node cut off from Redis did not answer 503 within 10 s:\n{scene.Victim.LogTail}");
    }

    /// <summary>Reports what clients of the survivor saw after the cut, with the machine's load, and holds it to
    /// these figures: every lookup answered and every batch taken again within 20 s, no answer slower than 5 s
    /// (a 503 included), and ingest then back to at least half its rate before the cut.</summary>
    private void AssertSurvivorRecovered(TwoNodesUnderIngest scene, TimeSpan cutAt, TimeSpan? servingAt)
    {
        var before = scene.Writers.LandedPerSecond(cutAt - RateWindow, cutAt);
        var after = servingAt is { } at ? scene.Writers.LandedPerSecond(at, at + RateWindow) : 0;
        // Whatever was answered after the cut, sent before it or not; a writer that gave up waiting counts too.
        var ingest = scene.Writers.Answers.Where(a => a.Node == scene.Survivor && a.At >= cutAt).ToList();
        var lookups = scene.Sampler.Sweeps.Where(s => s.End >= cutAt).ToList();
        var slowestIngest = ingest.Select(a => a.Took).DefaultIfEmpty().Max();
        var slowestLookup = lookups.Select(s => s.Slowest).DefaultIfEmpty().Max();
        output.WriteLine($"Machine load (1, 5, 15 min): {File.ReadAllText("/proc/loadavg").Trim()}");
        output.WriteLine($"The survivor answered every sampled lookup again {(scene.Sampler.AnsweringEverythingSince(cutAt) - cutAt)?.TotalSeconds:F1} s " +
                         $"after the cut, and took every batch again {(scene.Writers.TakingEverythingSince(scene.Survivor, cutAt) - cutAt)?.TotalSeconds:F1} s after it.");
        output.WriteLine($"Ingest: {before:F0} touchpoints/s before the cut, {after:F0} /s once the survivor served everything.");
        output.WriteLine($"Slowest answer of the survivor after the cut: ingest {slowestIngest.TotalSeconds:F1} s, lookup {slowestLookup.TotalSeconds:F1} s; " +
                         $"503s: {ingest.Count(a => a.Status == HttpStatusCode.ServiceUnavailable)} of {ingest.Count} ingest requests, " +
                         $"{lookups.Sum(s => s.Failed)} lookups.");

        Assert.True(servingAt - cutAt <= RecoveryLimit, $"the survivor did not serve everything again within {RecoveryLimit.TotalSeconds} s of the cut");
        Assert.True(slowestIngest <= AnswerLimit && slowestLookup <= AnswerLimit, $"the survivor kept a client waiting more than {AnswerLimit.TotalSeconds} s");
        Assert.True(after >= before / 2, $"ingest did not recover: {before:F0} touchpoints/s before the cut, {after:F0} after");
    }

    /// <summary>Every touchpoint sent landed once, in the profile of its component, and the other node answers every
    /// lookup alike.</summary>
    private static async Task AssertNothingLostOrDoubledAsync(FailoverWriters writers, NodeProcess one, NodeProcess other)
    {
        var sent = writers.Sent.ToList();
        Assert.Equal(sent.Select(t => t.Id).Order(), writers.Statuses.Keys.Order());
        Assert.All(writers.Statuses.Values, s => Assert.Contains(s, new[] { "accepted", "duplicate" }));
        await Cluster.AssertPartitionAndJourneysAsync(one, sent);
        await Parallel.ForEachAsync(new GroundTruth(sent).Identifiers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (identifier, _) =>
            Assert.Equal((await one.Api.LookupAsync(identifier)).ToJsonString(), (await other.Api.LookupAsync(identifier)).ToJsonString()));
    }
}

[CollectionDefinition(PartitionTests.Alone, DisableParallelization = true)]
public sealed class PartitionTestsRunAlone;
