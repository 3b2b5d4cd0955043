using System.Net;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>
/// What an operator relies on for the statistics, on a two-node cluster on a real Redis, one server or a three-master
/// Redis Cluster (docs/API.md, "Statistics"; docs/DEPLOY.md, "On a Redis Cluster"): counters corrupted in Redis on purpose are found and repaired by the
/// recount, the Prometheus gauges are the same on every node, and the history keeps one sample per instant whichever
/// node took it.
/// </summary>
public class StatsOperationsTests
{
    private static readonly string[] NoLimits =
        [.. new[] { "crm_id", "customer_id", "loyalty_id", "app_user_id", "email", "phone" }.Select(type => $"--Profiles:IdentityRules:{type}:Limit=")];

    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Theory]
    [InlineData(RedisTopology.OneServer)]
    [InlineData(RedisTopology.ThreeMasterCluster)]
    public async Task A_recount_finds_counters_corrupted_in_Redis_and_the_figures_equal_an_independent_count_again(RedisTopology topology)
    {
        await using var redis = await topology.StartAsync();
        var specs = new OverlappingLinksPopulation(_run, seed: 17, customers: 40, identifiersPerCustomer: 4).Touchpoints(500);
        await using var one = await NodeProcess.StartAsync(redis.ConnectionString, _run, NoLimits);
        await using var two = await NodeProcess.StartAsync(redis.ConnectionString, _run, NoLimits);
        await Cluster.ReplayAsync([one, two], specs, writers: 8, batch: 25);
        var expected = ExpectedStats.Of(specs, new GroundTruth(specs).Profiles());
        await expected.AssertAnsweredByAsync(one, two);

        // A doubled delta and a lost one on one shard, a counter off by three on another.
        // Each shard's counters, with the server holding them (on a cluster, two shards on different masters).
        var counters = new List<(string Key, RedisServer Server, Dictionary<string, long> Values)>();
        foreach (var server in redis.Masters)
        {
            foreach (var key in await server.KeysAsync("profiles:*:stats"))
            {
                counters.Add((key, server, Counters(await server.CliAsync("hgetall", key))));
            }
        }
        var identified = counters.Where(c => c.Values.GetValueOrDefault("identified") > 0).OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        var firstShard = identified[0];
        var secondShard = identified.First(c => c.Key != firstShard.Key && (redis.Masters.Count == 1 || c.Server != firstShard.Server));
        var shards = new[] { firstShard.Key, secondShard.Key };
        var (first, second) = (firstShard.Values, secondShard.Values);
        await firstShard.Server.CliAsync("hincrby", shards[0], "touchpoints", "7");
        await firstShard.Server.CliAsync("hdel", shards[0], "identified");
        await secondShard.Server.CliAsync("hset", shards[1], "profiles", (second["profiles"] + 3).ToString());
        var (status, corrupted) = await one.Api.GetAsync("/v1/stats");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected.Touchpoints + 7, (int)corrupted!["touchpoints"]!);
        Assert.Equal(expected.Profiles + 3, (int)corrupted["profiles"]!);

        var recount = await RecountAsync(two);

        Assert.Equal(expected.Profiles, (int)recount["standings"]!);
        Assert.Equal(
            new[]
            {
                ("identified", ShardOf(shards[0]), 0L, first["identified"]),
                ("touchpoints", ShardOf(shards[0]), first["touchpoints"] + 7, first["touchpoints"]),
                ("profiles", ShardOf(shards[1]), second["profiles"] + 3, second["profiles"]),
            }.Order(),
            recount["corrections"]!.AsArray().Select(c => ((string)c!["figure"]!, (int)c["shard"]!, (long)c["was"]!, (long)c["now"]!)).Order());
        expected.AssertEqual(recount["stats"]!);
        await expected.AssertAnsweredByAsync(one, two);
        Assert.Empty((await RecountAsync(one))["corrections"]!.AsArray());

        // The gauges read the store at most every 5 s: both nodes show the repaired figures within that.
        foreach (var node in new[] { one, two })
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!expected.ShownBy(await node.Http.GetStringAsync("/metrics")))
            {
                Assert.True(DateTime.UtcNow < deadline, $"The gauges of node {node.BaseUrl} never showed the figures:\n{await node.Http.GetStringAsync("/metrics")}");
                await Task.Delay(500);
            }
        }
    }

    [Theory]
    [InlineData(RedisTopology.OneServer)]
    [InlineData(RedisTopology.ThreeMasterCluster)]
    public async Task Both_nodes_sample_the_history_into_one_key_per_day_keeping_the_first_sample_of_each_instant(RedisTopology topology)
    {
        await using var redis = await topology.StartAsync();
        string[] everySecond = ["--Profiles:Stats:SampleInterval=00:00:01"];
        await using var one = await NodeProcess.StartAsync(redis.ConnectionString, _run, everySecond);
        await using var two = await NodeProcess.StartAsync(redis.ConnectionString, _run, everySecond);
        var specs = new OverlappingLinksPopulation(_run, seed: 19, customers: 10, identifiersPerCustomer: 3).Touchpoints(60);
        await Cluster.ReplayAsync([one, two], specs, writers: 2, batch: 20);
        var expected = ExpectedStats.Of(specs, new GroundTruth(specs).Profiles());
        var ingested = DateTimeOffset.UtcNow;

        var points = await HistoryAsync(one);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); points.Count(p => At(p) > ingested) < 3; points = await HistoryAsync(one))
        {
            Assert.True(DateTime.UtcNow < deadline, $"No samples after the ingest in 30 s:\n{one.LogTail}");
            await Task.Delay(500);
        }

        Assert.All(points.Where(p => At(p) > ingested), expected.AssertEqual);
        Assert.All(points, p => Assert.Equal(0, At(p).UtcTicks % TimeSpan.TicksPerSecond));
        Assert.Equal(points.Select(At).Distinct().Order(), points.Select(At));
        // The same history from the other node, and a sample once kept never changes.
        await Task.Delay(1500);
        var later = await HistoryAsync(two);
        Assert.Equal(points.Select(p => p.ToJsonString()), later.Take(points.Count).Select(p => p.ToJsonString()));

        var days = points.Select(p => DateOnly.FromDateTime(At(p).UtcDateTime)).Distinct().ToList();
        var keys = new List<(string Key, RedisServer Server)>();
        foreach (var server in redis.Masters) keys.AddRange((await server.KeysAsync("profiles:stats-history:*")).Select(key => (key, server)));
        Assert.Equal(days.Select(Key), keys.Select(k => k.Key).Order());
        var ttl = TimeSpan.FromSeconds(long.Parse(await keys.Single(k => k.Key == Key(days[^1])).Server.CliAsync("ttl", Key(days[^1]))));
        Assert.InRange(ttl, TimeSpan.FromDays(30), TimeSpan.FromDays(31));
    }

    /// <summary>The recount as an operator runs it. A node that is not ready (a loaded machine: it missed storage or the
    /// cluster for a moment) refuses every call before doing anything, and is asked again, as an operator would.</summary>
    private static async Task<JsonNode> RecountAsync(NodeProcess node)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await node.Http.PostAsync("/v1/stats/recount", content: null);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && body.Contains("Not ready", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
                continue;
            }
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"The recount answered {(int)response.StatusCode}: {body}\n{node.LogTail}");
            return JsonNode.Parse(body)!;
        }
    }

    private static async Task<List<JsonNode>> HistoryAsync(NodeProcess node)
    {
        var (status, history) = await node.Api.GetAsync("/v1/stats/history?step=minute");
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. history!["points"]!.AsArray().Select(p => p!)];
    }

    private static string Key(DateOnly day) => $"profiles:stats-history:{day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}";

    private static DateTimeOffset At(JsonNode point) => DateTimeOffset.Parse((string)point["asOf"]!);

    /// <summary>"profiles:{0c-41}:stats" is shard 12.</summary>
    private static int ShardOf(string key) => Convert.ToInt32(key[(key.IndexOf('{') + 1)..key.IndexOf('-', key.IndexOf('{'))], 16);

    /// <summary>redis-cli's HGETALL output: field and value on alternate lines.</summary>
    private static Dictionary<string, long> Counters(string hgetall)
    {
        var lines = hgetall.Split('\n');
        return Enumerable.Range(0, lines.Length / 2).ToDictionary(i => lines[2 * i], i => long.Parse(lines[2 * i + 1]));
    }
}
