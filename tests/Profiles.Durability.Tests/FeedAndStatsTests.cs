using System.Net;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>The change feed and the statistics on a two-node cluster on a real Redis: nothing accepted is missing
/// from the feed after a SIGKILL, and /v1/stats equals a recount made apart from Profiles, on both nodes.</summary>
public class FeedAndStatsTests
{

    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Every_touchpoint_answered_accepted_is_in_the_feed_after_a_node_is_killed_mid_ingest()
    {
        await using var redis = await RedisServer.StartAsync();
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
    }

    [Fact]
    public async Task The_statistics_equal_a_recount_on_both_nodes_after_merges_and_after_erasures()
    {
        await using var redis = await RedisServer.StartAsync();
        var specs = new OverlappingLinksPopulation(_run, seed: 13, customers: 60, identifiersPerCustomer: 4).Touchpoints(900);
        await using var one = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await using var two = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await Cluster.ReplayAsync([one, two], specs, writers: 8, batch: 25);
        var components = new GroundTruth(specs).Profiles().ToList();

        await ExpectedStats.Of(specs, components).AssertAnsweredByAsync(one, two);

        var erased = components.Take(5).ToList();
        foreach (var component in erased)
        {
            var profileId = (string)(await one.Api.LookupAsync(component.Identifiers[0]))["profileId"]!;
            using var response = await two.Http.DeleteAsync($"/v1/profiles/{profileId}");
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        await ExpectedStats.Of(specs, components.Skip(5)).AssertAnsweredByAsync(one, two);
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
