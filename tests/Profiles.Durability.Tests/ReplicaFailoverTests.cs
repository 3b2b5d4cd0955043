using System.Diagnostics;
using System.Net;
using Profiles.Testing;
using Xunit.Abstractions;

namespace Profiles.Durability.Tests;

/// <summary>
/// The masters of a replicated Redis Cluster (three masters, a replica each, a node timeout of 2 s) killed one after
/// the other while two nodes ingest: each time the replica takes over, no node takes the failover for being cut off,
/// and with writes acknowledged only once a replica has them, nothing answered accepted is lost with a master. Timed,
/// so it runs alone.
/// </summary>
[Collection(PartitionTests.Alone)]
public class ReplicaFailoverTests(ITestOutputHelper output)
{
    /// <summary>How long a writer waits for an answer before it tries the other node, as a client with a deadline would.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>After a failover (about 3 s), past the time a node misses storage before it asks the other (2 s) and
    /// the patience it is then given (3 s).</summary>
    private static readonly TimeSpan Watched = TimeSpan.FromSeconds(10);

    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    /// <summary>Each master in turn: which node's Redis client learns of the new master first is down to timing, so a
    /// single failover may go by with both learning it together.</summary>
    [Fact]
    public async Task Masters_killed_under_ingest_fail_over_to_their_replicas_while_both_nodes_stay_and_nothing_accepted_is_lost()
    {
        await using var redis = await RedisClusterServer.StartReplicatedAsync(masters: 3);
        string[] arguments = [.. Cluster.NoLimits, "--Profiles:WaitReplicas=1"];
        await using var one = await NodeProcess.StartAsync(redis.ConnectionString, _run, arguments);
        // Its Redis client asks every server its role each second, so this node learns of a new master as soon as
        // there is one, and the other one later: each failover has one node reach the new master while the other
        // does not yet, as happens by chance between clients that check at different moments.
        await using var two = await NodeProcess.StartAsync($"{redis.ConnectionString},configCheckSeconds=1", _run, arguments);
        NodeProcess[] nodes = [one, two];
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        // Customers enough, for the trickle sent, that the links between them leave small components, each read back whole.
        var touchpoints = new OverlappingLinksPopulation(_run, seed: 31, customers: 1000, identifiersPerCustomer: 3).Touchpoints(100_000);
        var writers = FailoverWriters.Start(nodes, touchpoints, writers: 4, batch: 20, clock, AttemptTimeout, stop.Token, pause: TimeSpan.FromMilliseconds(300));
        await WaitAsync(() => writers.Statuses.Count >= 500, TimeSpan.FromSeconds(60), "ingest to get going", writers);

        var readiness = new HashSet<string>();
        foreach (var master in redis.Masters)
        {
            var replica = await redis.ReplicaOfAsync(master);
            var killedAt = clock.Elapsed;
            await master.KillAsync();
            await WaitAsync(async () =>
            {
                readiness.Add(await ReadinessAsync(one));
                return await replica.RoleAsync() == "master";
            }, TimeSpan.FromSeconds(30), "the replica to take over", writers);
            var promotedAt = clock.Elapsed;
            // The killed master comes back, as its supervisor would start it, as the replica of the one that took over:
            // with a replica required for every write, the shards it held take writes again only then.
            await master.StartAgainAsync();
            await WaitAsync(() => clock.Elapsed > promotedAt + Watched
                                  && (nodes.Any(node => node.HasExited) || writers.TakingEverythingSince(promotedAt) < clock.Elapsed - TimeSpan.FromSeconds(3)),
                TimeSpan.FromSeconds(60), "the nodes to take every batch again", writers);
            foreach (var node in nodes) Assert.False(node.HasExited, $"a node stopped during the failover of the master on port {master.Port}:\n{node.LogTail}");
            output.WriteLine($"Port {master.Port}: the replica took over {(promotedAt - killedAt).TotalSeconds:F1} s after the master was killed, the nodes took " +
                             $"every batch again {(writers.TakingEverythingSince(promotedAt) - killedAt)?.TotalSeconds:F1} s after it; " +
                             $"{writers.Answers.Count(a => a.At >= killedAt && a.Status == HttpStatusCode.ServiceUnavailable)} ingest requests answered 503 since.");
        }
        await stop.CancelAsync();
        await writers.Completion;
        // While a master's shards answer no node and the others do, a node stays ready and says what it misses.
        Assert.Contains("Degraded", readiness);

        output.WriteLine($"Machine load (1, 5, 15 min): {File.ReadAllText("/proc/loadavg").Trim()}");
        var sent = writers.Sent.ToList();
        output.WriteLine($"{sent.Count} touchpoints sent, {writers.Statuses.Values.Count(s => s == "accepted")} answered accepted.");
        Assert.Equal(sent.Select(t => t.Id).Order(), writers.Statuses.Keys.Order());
        Assert.All(writers.Statuses.Values, s => Assert.Contains(s, new[] { "accepted", "duplicate" }));
        await Cluster.AssertPartitionAndJourneysAsync(one, sent);
    }

    /// <summary>What /health/ready answers: <c>Healthy</c>, <c>Degraded</c>, or the status code.</summary>
    private static async Task<string> ReadinessAsync(NodeProcess node)
    {
        using var response = await node.Http.GetAsync("/health/ready");
        return response.IsSuccessStatusCode ? (await response.Content.ReadAsStringAsync()).Split(':')[0] : $"{(int)response.StatusCode}";
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan limit, string what, FailoverWriters writers) =>
        await WaitAsync(() => Task.FromResult(condition()), limit, what, writers);

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan limit, string what, FailoverWriters writers)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (writers.Completion.IsFaulted) await writers.Completion;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {limit.TotalSeconds} s for {what}.");
            await Task.Delay(200);
        }
    }
}
