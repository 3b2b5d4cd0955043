using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Cluster.Tests;

/// <summary>Where a three-master Redis Cluster puts each shard's keys, asked of the cluster itself.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ShardPlacementTests(RedisClusterFixture fixture)
{
    [Fact]
    public async Task Every_key_a_script_of_a_shard_touches_is_in_one_slot_and_the_masters_hold_equal_numbers_of_shards()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
        var database = redis.GetDatabase();
        var shardsByMaster = new Dictionary<string, int>();
        foreach (var shard in Shards.All)
        {
            var profileId = ProfileOf(shard);
            RedisKey[] keys =
            [
                RedisLayout.Standings(shard), RedisLayout.Stats(shard), RedisLayout.Audiences(shard), RedisLayout.Recheck(shard),
                RedisLayout.Changes(shard), RedisLayout.FeedErasures(shard), RedisLayout.Owners(shard), RedisLayout.Erased(shard),
                RedisLayout.RetentionDue(shard), RedisLayout.Anonymous(shard),
                RedisLayout.JourneyLog(profileId), RedisLayout.JourneyOrder(profileId), RedisLayout.JourneyTouchpoints(profileId),
                RedisLayout.JourneyRemoved(profileId),
            ];
            Assert.Single(keys.Select(key => redis.HashSlot(key)).Distinct());
            var master = (await database.IdentifyEndpointAsync(keys[0]))!.ToString()!;
            shardsByMaster[master] = shardsByMaster.GetValueOrDefault(master) + 1;
        }

        // 64 shards over 3 masters: 21 or 22 each, so no master takes more than its share of the journey writes.
        Assert.Equal(3, shardsByMaster.Count);
        Assert.All(shardsByMaster.Values, count => Assert.InRange(count, Shards.Count / 3, Shards.Count / 3 + 1));
    }

    private static string ProfileOf(int shard) =>
        Enumerable.Range(0, 100_000).Select(n => $"p{n}").First(id => Shards.Of(id) == shard);
}
