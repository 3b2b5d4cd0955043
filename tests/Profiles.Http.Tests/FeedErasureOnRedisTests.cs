using System.Net;
using System.Text.Json.Nodes;
using Profiles.Grains.Changes;
using Profiles.Grains.Storage;
using Profiles.Testing;
using StackExchange.Redis;

namespace Profiles.Http.Tests;

/// <summary>An erased customer's changes leave the feed's storage in Redis within one Profiles:Retention:Interval,
/// read straight from Redis, and readers stop seeing them at once.</summary>
public class FeedErasureOnRedisTests(RedisNodeFixture node) : IClassFixture<RedisNodeFixture>
{
    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task An_erased_customers_changes_leave_Redis_within_one_interval_and_the_tombstone_stays()
    {
        var (email, loyalty, bystander) = ($"redis.{_run}@example.com", $"RED-{_run}", $"other.{_run}@example.com");
        var web = await _api.IngestAsync(new[] { Touch("w1", "web", ("email", email)), Touch("w2", "web", ("email", email)) });
        var store = await _api.IngestAsync(Touch("s1", "store", ("loyalty_id", loyalty)));
        await _api.IngestAsync(Touch("link", "store", ("email", email), ("loyalty_id", loyalty)));
        await _api.IngestAsync(Touch("b1", "store", ("email", bystander)));
        string[] ids = [(string)web[0]!["profileId"]!, (string)store[0]!["profileId"]!];
        await using var redis = await ConnectionMultiplexer.ConnectAsync(node.Redis.ConnectionString);
        Assert.NotEmpty(await StoredChangesNamingAsync(redis, ids));

        using (var erased = await node.CreateClient().DeleteAsync($"/v1/profiles/{ids[0]}")) Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);

        var served = (await _api.Client.GetChangesAsync(limit: 1000)).Value.Items;
        Assert.Equal("erased", Assert.Single(served, c => ids.Contains(c.ProfileId)).Type);
        Assert.Contains(served, c => c.Details is { } details && details.TryGetValue("touchpointId", out var id) && id.GetString() == $"{_run}-b1");
        var deadline = DateTime.UtcNow + RedisNodeFixture.RetentionInterval + TimeSpan.FromSeconds(10);
        List<ProfileChange> stored;
        while ((stored = await StoredChangesNamingAsync(redis, ids)).Count > 1 && DateTime.UtcNow < deadline) await Task.Delay(200);
        var tombstone = Assert.Single(stored);
        Assert.Equal(ChangeTypes.Erased, tombstone.Type);
        Assert.Contains(await StoredChangesNamingAsync(redis, [(string)(await _api.LookupAsync("email", bystander))["profileId"]!]),
            c => c.Type == ChangeTypes.Touchpoint);
        foreach (var shard in Shards.All) Assert.Equal(0, await redis.GetDatabase().SetLengthAsync(RedisLayout.FeedErasures(shard)));
    }

    /// <summary>Every change stored in any shard's stream that names one of <paramref name="profileIds"/>, read from Redis.</summary>
    private static async Task<List<ProfileChange>> StoredChangesNamingAsync(ConnectionMultiplexer redis, string[] profileIds)
    {
        var streams = await Task.WhenAll(Shards.All.Select(shard => redis.GetDatabase().StreamRangeAsync(RedisLayout.Changes(shard))));
        return [.. streams.SelectMany(entries => entries).Select(entry => RedisFeed.Change(entry.Values))
            .Where(change => profileIds.Contains(change.ProfileId) || change.Details.Any(d => d.Value.Split(',').Intersect(profileIds).Any()))];
    }

    private JsonObject Touch(string name, string channel, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make($"{_run}-{name}", channel, channel == "store" ? "purchase" : "page_view", null, identifiers);
}
