using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>Computed traits and audiences on real node processes: configuration read at start-up, and state that
/// survives a kill (caught up from the journey) and a restart (read back from Redis).</summary>
public class PersonalisationNodeTests
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Theory]
    [InlineData("Profiles:ComputedTraits:spend:kind", "--Profiles:ComputedTraits:spend:kind=total")]
    [InlineData("Profiles:ComputedTraits:spend:of", "--Profiles:ComputedTraits:spend:kind=sum")]
    [InlineData("Profiles:ComputedTraits:recent:window", "--Profiles:ComputedTraits:recent:kind=count", "--Profiles:ComputedTraits:recent:window=500d")]
    [InlineData("Profiles:ComputedTraits:liking:halfLife", "--Profiles:ComputedTraits:liking:kind=affinity", "--Profiles:ComputedTraits:liking:of=category", "--Profiles:ComputedTraits:liking:halfLife=0")]
    [InlineData("Profiles:ComputedTraits:Big-Spend", "--Profiles:ComputedTraits:Big-Spend:kind=count")]
    [InlineData("Profiles:Audiences:big", "--Profiles:Audiences:big=spend > 10")]
    [InlineData("Profiles:Audiences:big", "--Profiles:Audiences:big=orders >")]
    public async Task A_configuration_mistake_stops_the_node_at_start_up_with_a_message_naming_the_key(string key, params string[] arguments)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NodeProcess.StartAsync(null, _run, arguments));

        Assert.Contains("exited", error.Message);
        Assert.Contains($"{key}: ", error.Message);
    }

    [Fact]
    public async Task A_trait_and_an_audience_given_on_the_command_line_are_served()
    {
        await using var node = await NodeProcess.StartAsync(null, _run,
            "--Profiles:ComputedTraits:page_views:kind=count", "--Profiles:ComputedTraits:page_views:where:type=page_view",
            "--Profiles:Audiences:browsers=page_views >= 2");
        var cookie = $"ck-{_run}";

        await node.Api.IngestAsync(new[] { View($"{_run}-1", cookie), View($"{_run}-2", cookie) });

        var profile = await node.Api.LookupAsync("cookie", cookie);
        Assert.Equal(2, (int)profile["computed"]!["page_views"]!);
        Assert.Contains("browsers", profile["audiences"]!.AsArray().Select(a => (string?)a));
    }

    [Fact]
    public async Task Computed_traits_survive_a_kill_caught_up_from_the_journey_and_a_restart_read_from_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        var email = $"kept.{_run}@example.com";
        string before;
        await using (var node = await NodeProcess.StartAsync(redis.ConnectionString, _run))
        {
            await node.Api.IngestAsync(Enumerable.Range(0, 6).Select(n => Purchase($"{_run}-{n}", email, n)).ToArray());
            before = Personalised(await node.Api.LookupAsync("email", email));
            // Killed inside the snapshot interval: the activation after the restart folds the journey in again.
            await node.KillAsync();
        }

        await using (var restarted = await NodeProcess.StartAsync(redis.ConnectionString, _run))
        {
            Assert.Equal(before, Personalised(await restarted.Api.LookupAsync("email", email)));
            await restarted.StopAsync();
        }

        await using var again = await NodeProcess.StartAsync(redis.ConnectionString, _run);
        Assert.Equal(before, Personalised(await again.Api.LookupAsync("email", email)));
        Assert.Contains("\"orders\":6", before);
    }

    [Fact]
    public async Task A_trait_configured_later_is_computed_from_the_journeys_of_profiles_folded_before_it()
    {
        await using var redis = await RedisServer.StartAsync();
        var (email, loyalty) = ($"later.{_run}@example.com", $"L-{_run}");
        await using (var node = await NodeProcess.StartAsync(redis.ConnectionString, _run))
        {
            await node.Api.IngestAsync(Enumerable.Range(0, 3).Select(n => Purchase($"{_run}-e{n}", email, n)).ToArray());
            await node.Api.IngestAsync(new[] { TouchpointJson.Make($"{_run}-l", "store", "store_visit", null, ("loyalty_id", loyalty)) });
            await node.StopAsync();
        }
        string[] newTraits = ["--Profiles:ComputedTraits:shop_visits:kind=count", "--Profiles:ComputedTraits:shop_visits:where:channel=store"];

        await using var restarted = await NodeProcess.StartAsync(redis.ConnectionString, _run, newTraits);
        Assert.Equal(2, (int)(await restarted.Api.LookupAsync("email", email))["computed"]!["shop_visits"]!);
        // A profile folded before the trait merges into another: the survivor folds both journeys again.
        await restarted.Api.IngestAsync(new[] { TouchpointJson.Make($"{_run}-link", "web", "login", null, ("email", email), ("loyalty_id", loyalty)) });
        Assert.Equal(3, (int)(await restarted.Api.LookupAsync("loyalty_id", loyalty))["computed"]!["shop_visits"]!);
    }

    private static string Personalised(JsonNode profile) => $"{profile["computed"]!.ToJsonString()} {profile["audiences"]!.ToJsonString()}";

    private static JsonObject View(string id, string cookie) => TouchpointJson.Make(id, "web", "page_view", null, ("cookie", cookie));

    private static JsonObject Purchase(string id, string email, int n)
    {
        // Spread over 200 days, so the windowed traits and the affinity depend on the buckets kept.
        var touchpoint = TouchpointJson.Make(id, n % 2 == 0 ? "store" : "web", "purchase", DateTimeOffset.UtcNow.AddDays(-40 * n), ("email", email));
        touchpoint["properties"] = new JsonObject { ["amount"] = 10.5 * (n + 1), ["category"] = n % 2 == 0 ? "shoes" : "bags", ["storeId"] = $"S{n % 3}" };
        return touchpoint;
    }
}
