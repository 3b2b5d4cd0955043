using System.Net;
using System.Text.Json.Nodes;
using Profiles.Contracts;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>The change feed, the statistics and the audience member lists on a two-node cluster on a real Redis:
/// nothing accepted is missing from the feed after a SIGKILL, /v1/stats equals a recount made apart from Profiles,
/// and every audience lists exactly the profiles whose answers name it, on both nodes. Each is kept per shard, so on
/// a Redis Cluster a reader sees them whole only by reading every master.</summary>
public class FeedAndStatsTests
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Theory]
    [InlineData(RedisTopology.OneServer)]
    [InlineData(RedisTopology.ThreeMasterCluster)]
    public async Task Every_touchpoint_answered_accepted_is_in_the_feed_after_a_node_is_killed_mid_ingest(RedisTopology topology)
    {
        await using var redis = await topology.StartAsync();
        var specs = new OverlappingLinksPopulation(_run, seed: 11, customers: 40, identifiersPerCustomer: 4).Touchpoints(1200);
        await using var survivor = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await using var victim = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);

        var statuses = await Cluster.ReplayAsync([survivor, victim], specs, writers: 16, batch: 20, afterBatch: async sent =>
        {
            if (sent == 20) await victim.KillAsync();
        });

        var changes = await ReadFeedAsync(survivor);
        var inFeed = changes.Where(c => (string?)c["type"] == "touchpoint").Select(c => (string)c["touchpointId"]!).ToHashSet();
        var accepted = statuses.Where(s => s.Value == "accepted").Select(s => s.Key).ToList();
        Assert.NotEmpty(accepted);
        Assert.All(accepted, id => Assert.Contains(id, inFeed));
        Assert.Equal(specs.Select(s => s.Id).Order(), inFeed.Order());
        var text = string.Join('\n', changes.Select(c => c.ToJsonString()));
        Assert.All(specs.SelectMany(s => s.Identifiers).Select(i => i.Value!).Distinct(), value => Assert.DoesNotContain(value, text));
        // The feed and the journeys are per shard, so on a cluster every master takes a share of the writes.
        foreach (var master in redis.Masters)
        {
            Assert.NotEmpty(await master.KeysAsync("profiles:{*}:changes"));
            Assert.NotEmpty(await master.KeysAsync("profiles:{*}:j:*:log"));
        }
    }

    [Theory]
    [InlineData(RedisTopology.OneServer)]
    [InlineData(RedisTopology.ThreeMasterCluster)]
    public async Task The_statistics_and_audiences_equal_a_recount_on_both_nodes_after_merges_and_after_erasures(RedisTopology topology)
    {
        await using var redis = await topology.StartAsync();
        var specs = new OverlappingLinksPopulation(_run, seed: 13, customers: 60, identifiersPerCustomer: 4).Touchpoints(900);
        await using var one = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await using var two = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await Cluster.ReplayAsync([one, two], specs, writers: 8, batch: 25);
        var components = new GroundTruth(specs).Profiles().ToList();

        await ExpectedStats.Of(specs, components).AssertAnsweredByAsync(one, two);
        await AssertAudiencesAsync([one, two], components.Select(c => c.Identifiers[0]));

        var erased = components.Take(5).ToList();
        foreach (var component in erased)
        {
            var profileId = (string)(await one.Api.LookupAsync(component.Identifiers[0]))["profileId"]!;
            using var response = await two.Http.DeleteAsync($"/v1/profiles/{profileId}");
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        await ExpectedStats.Of(specs, components.Skip(5)).AssertAnsweredByAsync(one, two);
        await AssertAudiencesAsync([one, two], components.Skip(5).Select(c => c.Identifiers[0]));
    }

    /// <summary>Every audience's count and member list (read in pages of 7, so a page spans shards) name exactly the
    /// profiles whose own answer lists that audience. The lists are exact within 5 s of the last write.</summary>
    private static async Task AssertAudiencesAsync(NodeProcess[] nodes, IEnumerable<IdentifierInput> customers)
    {
        var expected = new Dictionary<string, SortedSet<string>>();
        foreach (var identifier in customers)
        {
            var profile = await nodes[0].Api.LookupAsync(identifier);
            foreach (var audience in profile["audiences"]!.AsArray().Select(a => (string)a!))
            {
                if (!expected.TryGetValue(audience, out var members)) expected[audience] = members = new(StringComparer.Ordinal);
                members.Add((string)profile["profileId"]!);
            }
        }
        Assert.NotEmpty(expected);
        foreach (var node in nodes)
        {
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (true)
            {
                var listed = await AudiencesAsync(node);
                var want = string.Join('\n', listed.Keys.Order().Select(name =>
                    expected.TryGetValue(name, out var members) ? $"{name} {members.Count}: {string.Join(' ', members)}" : $"{name} 0: "));
                var got = string.Join('\n', listed.OrderBy(a => a.Key).Select(a => $"{a.Key} {a.Value.Count}: {string.Join(' ', a.Value.Members)}"));
                if (want == got || DateTime.UtcNow > deadline)
                {
                    Assert.Equal(want, got);
                    break;
                }
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Every audience's count and its members, read through the cursor, sorted.</summary>
    private static async Task<Dictionary<string, (long Count, SortedSet<string> Members)>> AudiencesAsync(NodeProcess node)
    {
        var (status, list) = await node.Api.GetAsync("/v1/audiences");
        Assert.Equal(HttpStatusCode.OK, status);
        var audiences = new Dictionary<string, (long, SortedSet<string>)>();
        foreach (var audience in list!.AsArray())
        {
            var name = (string)audience!["name"]!;
            var members = new SortedSet<string>(StringComparer.Ordinal);
            string? cursor = null;
            do
            {
                var (pageStatus, page) = await node.Api.GetAsync($"/v1/audiences/{name}/members?limit=7" + (cursor is null ? "" : $"&cursor={cursor}"));
                Assert.Equal(HttpStatusCode.OK, pageStatus);
                foreach (var id in page!["items"]!.AsArray()) Assert.True(members.Add((string)id!), $"{id} listed twice in {name}");
                cursor = (string?)page["nextCursor"];
            } while (cursor is not null);
            audiences[name] = ((long)audience["members"]!, members);
        }
        return audiences;
    }

    private static async Task<List<JsonNode>> ReadFeedAsync(NodeProcess node)
    {
        var changes = new List<JsonNode>();
        string? cursor = null;
        while (true)
        {
            var (status, page) = await node.Api.GetAsync("/v1/changes?limit=1000" + (cursor is null ? "" : $"&after={cursor}"));
            Assert.Equal(HttpStatusCode.OK, status);
            var items = page!["items"]!.AsArray();
            if (items.Count == 0) return changes;
            changes.AddRange(items.Select(i => i!));
            cursor = (string)page["nextCursor"]!;
        }
    }
}
