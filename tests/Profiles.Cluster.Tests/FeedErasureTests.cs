using Profiles.Core.Touchpoints;
using Profiles.Grains.Changes;
using Profiles.Grains.Storage;
using Profiles.Testing;
using StackExchange.Redis;

namespace Profiles.Cluster.Tests;

/// <summary>Erased customers leave the change feed on a three-master Redis Cluster: readers on either silo stop seeing
/// their earlier changes at the erasure, and the changes leave every master's streams when the feed is rid of them,
/// while the tombstones and other customers' changes stay.</summary>
[Collection(RedisClusterCollection.Name)]
public class FeedErasureTests(RedisClusterFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Erased_customers_changes_are_not_served_and_leave_every_master_while_tombstones_and_others_stay()
    {
        var cluster = fixture.Cluster;
        var customers = new List<string[]>();
        for (var c = 0; c < 6; c++)
        {
            var web = (await cluster.IngestAsync(Touch($"{c}-web", ("email", $"c{c}.{_run}@example.com"))))[0].ProfileId;
            var store = (await cluster.IngestAsync(Touch($"{c}-store", ("loyalty_id", $"L{c}-{_run}"))))[0].ProfileId;
            await cluster.IngestAsync(Touch($"{c}-link", ("email", $"c{c}.{_run}@example.com"), ("loyalty_id", $"L{c}-{_run}")));
            customers.Add([web, store]);
        }
        var (erased, kept) = (customers.Take(3).ToList(), customers.Skip(3).ToList());
        foreach (var ids in erased) Assert.True(await cluster.Eraser(1).EraseAsync(ids[1]));

        var served = await ReadAllAsync(cluster.Feed(0));
        foreach (var ids in erased) Assert.Equal([ChangeTypes.Erased], served.Where(c => Names(c, ids)).Select(c => c.Type));
        foreach (var ids in kept) Assert.Equal(3, served.Count(c => Names(c, ids) && c.Type == ChangeTypes.Touchpoint));

        Assert.True(await cluster.FeedErasure(0).ForgetAsync() >= erased.Count * 4);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
        var stored = (await Task.WhenAll(Shards.All.Select(shard => redis.GetDatabase().StreamRangeAsync(RedisLayout.Changes(shard)))))
            .SelectMany(entries => entries).Select(entry => RedisFeed.Change(entry.Values)).ToList();
        foreach (var ids in erased)
        {
            var tombstone = Assert.Single(stored, c => Names(c, ids));
            Assert.Equal(ChangeTypes.Erased, tombstone.Type);
            Assert.Equal(ids.Order(StringComparer.Ordinal), new[] { tombstone.ProfileId }.Concat(tombstone.Details.Single().Value.Split(',')).Order(StringComparer.Ordinal));
        }
        foreach (var ids in kept) Assert.Equal(3, stored.Count(c => Names(c, ids) && c.Type == ChangeTypes.Touchpoint));
        foreach (var shard in Shards.All) Assert.Equal(0, await redis.GetDatabase().SetLengthAsync(RedisLayout.FeedErasures(shard)));
        Assert.Equal(0, await cluster.FeedErasure(1).ForgetAsync());
    }

    private static bool Names(ProfileChange change, string[] profileIds) =>
        profileIds.Contains(change.ProfileId) || change.Details.Any(d => d.Value.Split(',').Intersect(profileIds).Any());

    private static async Task<List<ProfileChange>> ReadAllAsync(IChangeFeed feed)
    {
        var changes = new List<ProfileChange>();
        var cursor = FeedCursor.Start;
        while (true)
        {
            var page = await feed.ReadAsync(cursor, 100);
            if (page.Items.Count == 0) return changes;
            changes.AddRange(page.Items.Select(item => item.Change));
            Assert.True(FeedCursor.TryParse(page.NextCursor, out cursor));
        }
    }

    private Touchpoint Touch(string name, params (string, string)[] identifiers) =>
        TestTouchpoints.Make($"{_run}-{name}", Start, "web", "page_view", identifiers);
}
