using System.Diagnostics;
using System.Net;
using Profiles.Testing;
using Xunit.Abstractions;

namespace Profiles.Durability.Tests;

/// <summary>Durable (docs/API.md, "What always holds"): with Redis, stopping every node and starting them again changes
/// no answer; real Redis, real node processes, restarts and kills.</summary>
public class DurabilityTests(ITestOutputHelper output)
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Theory]
    [InlineData(RedisTopology.OneServer)]
    [InlineData(RedisTopology.ThreeMasterCluster)]
    public async Task Stopping_every_node_and_starting_again_changes_no_answer_and_a_resend_is_all_duplicates(RedisTopology topology)
    {
        await using var redis = await topology.StartAsync();
        var specs = new OverlappingLinksPopulation(_run, seed: 3, customers: 30, identifiersPerCustomer: 4).Touchpoints(500);
        var identifiers = new GroundTruth(specs).Identifiers;

        Dictionary<string, string> before;
        await using (var first = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits))
        await using (var second = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits))
        {
            var statuses = await Cluster.ReplayAsync([first, second], specs, writers: 8, batch: 20);
            // A batch a loaded node answered 503 after storing part of it answers duplicate for that part when retried.
            Assert.All(statuses.Values, s => Assert.Contains(s, new[] { "accepted", "duplicate" }));
            before = await Cluster.AnswersAsync(second, identifiers);
            await Task.WhenAll(first.StopAsync(), second.StopAsync());
        }

        await using var restarted = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await using var restartedToo = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        Cluster.AssertSameAnswers(before, await Cluster.AnswersAsync(restarted, identifiers));

        var resent = await Cluster.ReplayAsync([restarted, restartedToo], specs, writers: 8, batch: 50);
        Assert.All(resent.Values, s => Assert.Equal("duplicate", s));
        Cluster.AssertSameAnswers(before, await Cluster.AnswersAsync(restartedToo, identifiers));
    }

    [Theory]
    [InlineData(RedisTopology.OneServer)]
    [InlineData(RedisTopology.ThreeMasterCluster)]
    public async Task A_node_killed_during_concurrent_ingest_loses_nothing_and_doubles_nothing(RedisTopology topology)
    {
        await using var redis = await topology.StartAsync();
        var specs = new OverlappingLinksPopulation(_run, seed: 5, customers: 40, identifiersPerCustomer: 5).Touchpoints(1500);
        await using var survivor = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await using var victim = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        var killedAt = new TaskCompletionSource<Stopwatch>();

        var statuses = await Cluster.ReplayAsync([survivor, victim], specs, writers: 16, batch: 20, afterBatch: async sent =>
        {
            if (sent != 25) return;
            await victim.KillAsync();
            killedAt.SetResult(Stopwatch.StartNew());
        });

        Assert.Equal(specs.Select(s => s.Id).Order(), statuses.Keys.Order());
        Assert.All(statuses.Values, s => Assert.Contains(s, new[] { "accepted", "duplicate" }));
        await Cluster.AssertPartitionAndJourneysAsync(survivor, specs);
        var sinceKill = (await killedAt.Task).Elapsed;
        output.WriteLine($"The surviving node took every batch, and answers for every identifier, {sinceKill.TotalSeconds:F1} s after the SIGKILL.");
    }

    /// <summary>On a cluster, one master down is Redis down for a third of the data, and after the cluster's node timeout
    /// for all of it (the other masters refuse commands): every node must see it, not only a node whose ping happened
    /// to reach that master, or a node would stop itself as cut off while the others stay, or call itself ready.</summary>
    [Theory]
    [InlineData(RedisTopology.OneServer)]
    [InlineData(RedisTopology.ThreeMasterCluster)]
    public async Task While_Redis_is_down_requests_fail_fast_with_503_no_node_stops_and_the_nodes_recover_by_themselves(RedisTopology topology)
    {
        await using var redis = await topology.StartAsync();
        await using var one = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await using var two = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        var specs = new OverlappingLinksPopulation(_run, seed: 9, customers: 10, identifiersPerCustomer: 3).Touchpoints(120);
        await Cluster.ReplayAsync([one, two], specs[..60], writers: 4, batch: 10);

        var down = redis.Masters[^1];
        await down.StopAsync();
        var clock = Stopwatch.StartNew();
        var (status, problem) = await one.Api.PostAsync(TouchpointJson.Array(specs[60..80]));
        var answeredIn = clock.Elapsed;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("Retry", (string?)problem!["detail"]);
        Assert.True(answeredIn < TimeSpan.FromSeconds(5), $"503 took {answeredIn}");
        // Past the time a node waits before asking the others whether they reach Redis (5 s), and past a cluster's
        // node timeout (5 s here): no node reaches it, so none is cut off alone and none stops.
        await Task.Delay(TimeSpan.FromSeconds(12));
        foreach (var node in new[] { one, two })
        {
            Assert.False(node.HasExited, $"A node stopped while Redis was down for every node:\n{node.LogTail}");
            using var ready = await node.Http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        await down.StartAgainAsync();
        await Task.WhenAll(one.WaitUntilReadyAsync(), two.WaitUntilReadyAsync());
        var statuses = await Cluster.ReplayAsync([one, two], specs[60..], writers: 4, batch: 10);

        Assert.All(statuses.Values, s => Assert.Contains(s, new[] { "accepted", "duplicate" }));
        await Cluster.AssertPartitionAndJourneysAsync(two, specs);
    }
}
