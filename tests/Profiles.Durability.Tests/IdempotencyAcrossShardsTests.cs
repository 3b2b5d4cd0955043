using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>
/// A touchpoint's idempotency record is kept in the shard of the profile it landed on; a profile checks the shards of
/// the profiles merged into it before appending. So after its profile is merged into one of another shard (on a
/// cluster: held by another master), a resend still answers duplicate, and resends racing the merge land once.
/// </summary>
public class IdempotencyAcrossShardsTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Theory]
    [InlineData(RedisTopology.OneServer)]
    [InlineData(RedisTopology.ThreeMasterCluster)]
    public async Task A_touchpoint_resent_after_its_profile_merged_into_another_shard_is_a_duplicate_even_racing_the_merge(RedisTopology topology)
    {
        await using var redis = await topology.StartAsync();
        await using var one = await NodeProcess.StartAsync(redis.ConnectionString, _run);
        await using var two = await NodeProcess.StartAsync(redis.ConnectionString, _run);
        var email = ("email", $"paul.{_run}@example.com");

        // Profile ids are time-ordered and merges go to the smaller id: the profile made first survives.
        var survivor = await one.Api.LandAsync(Touch("survivor", 0, email));
        var home = await redis.FindKeyAsync($"profiles:{{*}}:j:{survivor}:log");
        (string Type, string Value) cookie;
        (int Master, string Key) loserHome;
        var attempt = 0;
        do
        {
            Assert.True(++attempt <= 40, "No profile landed in another shard (and on another master) in 40 tries.");
            cookie = ("cookie", $"ck-{attempt}-{_run}");
            loserHome = await redis.FindKeyAsync($"profiles:{{*}}:j:{await one.Api.LandAsync(Touch($"landed-{attempt}", 1, cookie))}:log");
        } while (Shard(loserHome.Key) == Shard(home.Key) || (redis.Masters.Count > 1 && loserHome.Master == home.Master));

        // The same body each time, as a client's retry sends it.
        JsonObject Landed() => Touch($"landed-{attempt}", 1, cookie);
        var link = one.Api.IngestAsync(Touch("link", 2, cookie, email));
        var racing = Enumerable.Range(0, 8).Select(n => (n % 2 == 0 ? one : two).Api.IngestAsync(Landed())).ToArray();
        var linked = await link;
        var raced = await Task.WhenAll(racing);
        var after = await Task.WhenAll(one.Api.IngestAsync(Landed()), two.Api.IngestAsync(Landed()));

        Assert.Equal(("accepted", survivor), ((string?)linked[0]!["status"], (string?)linked[0]!["profileId"]));
        Assert.All(raced.Concat(after), result => Assert.Equal("duplicate", (string?)result[0]!["status"]));
        Assert.All(after, result => Assert.Equal(survivor, (string?)result[0]!["profileId"]));
        var profile = await two.Api.LookupAsync(cookie.Type, cookie.Value);
        Assert.Equal((survivor, 3), ((string?)profile["profileId"], (int)profile["touchpoints"]!));
        Assert.Equal([$"{_run}-link", $"{_run}-landed-{attempt}", $"{_run}-survivor"], await two.Api.JourneyIdsAsync(survivor));
    }

    /// <summary>The hash tag of one of our keys, "{SS}": its shard.</summary>
    private static string Shard(string key) => key[key.IndexOf('{')..(key.IndexOf('}') + 1)];

    private JsonObject Touch(string name, int minutes, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make($"{_run}-{name}", "web", "page_view", At.AddMinutes(minutes), identifiers);
}
