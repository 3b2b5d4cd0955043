using System.Net;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>The live stream and erasure (docs/API.md, "Profiles out"), and "Live" of "What always holds", on a two-node
/// cluster on a real Redis, as a user starts it.</summary>
public class LiveAndErasureTests : IAsyncLifetime
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private ITestRedis _redis = null!;
    private NodeProcess _one = null!;
    private NodeProcess _two = null!;

    protected virtual RedisTopology Topology => RedisTopology.OneServer;

    public async Task InitializeAsync()
    {
        _redis = await Topology.StartAsync();
        try
        {
            _one = await NodeProcess.StartAsync(_redis.ConnectionString, _run);
            _two = await NodeProcess.StartAsync(_redis.ConnectionString, _run);
        }
        catch
        {
            // xunit does not dispose a class whose initialisation failed: leave no process behind.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        // Either node may be missing when initialisation failed half-way.
        foreach (var node in new[] { _one, _two }.Where(node => node is not null)) await node.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Subscribers_on_both_nodes_see_the_identifier_become_known_then_each_change_then_the_merge()
    {
        var email = $"live.{_run}@example.com";
        await using var onOne = await EventStream.OpenAsync(_one.Http, "email", email);
        await using var onTwo = await EventStream.OpenAsync(_two.Http, "email", email);
        Assert.Equal("text/event-stream", onOne.ContentType);
        foreach (var stream in new[] { onOne, onTwo })
        {
            var (name, data) = await stream.NextAsync();
            Assert.Equal(("profile", "{}"), (name, data.ToJsonString()));
        }

        await _one.Api.IngestAsync(Touch("a", 0, ("email", email)));
        await _two.Api.IngestAsync(Touch("b", 1, ("email", email)));
        var cookieProfile = (string)(await _one.Api.IngestAsync(Touch("c", 2, ("cookie", $"ck-{_run}"))))[0]!["profileId"]!;
        await _two.Api.IngestAsync(Touch("login", 3, ("cookie", $"ck-{_run}"), ("email", email)));

        foreach (var stream in new[] { onOne, onTwo })
        {
            var (_, merged) = await stream.UntilAsync((name, data) => name == "profile" && (int?)data["touchpoints"] == 4);
            var survivor = (string)merged["profileId"]!;
            Assert.Equal(survivor, (string?)(await _one.Api.LookupAsync("cookie", $"ck-{_run}"))["profileId"]);
            Assert.Contains(cookieProfile, merged["mergedProfileIds"]!.AsArray().Select(id => (string?)id).Append(survivor));
        }
    }

    [Fact]
    public async Task Streams_by_profile_id_on_both_nodes_follow_it_into_the_profile_it_merges_into_and_end_at_the_erasure()
    {
        var email = $"byid.{_run}@example.com";
        var survivor = (string)(await _one.Api.IngestAsync(Touch("a", 0, ("email", email))))[0]!["profileId"]!;
        var watched = (string)(await _two.Api.IngestAsync(Touch("b", 1, ("cookie", $"ck-{_run}"))))[0]!["profileId"]!;
        await using var onOne = await EventStream.OpenAsync(_one.Http, watched);
        await using var onTwo = await EventStream.OpenAsync(_two.Http, watched);

        await _one.Api.IngestAsync(Touch("login", 2, ("cookie", $"ck-{_run}"), ("email", email)));

        foreach (var stream in new[] { onOne, onTwo })
        {
            var (_, merged) = await stream.UntilAsync((name, data) => name == "profile" && (int?)data["touchpoints"] == 3);
            Assert.Equal(survivor, (string?)merged["profileId"]);
        }
        using var erase = await _two.Http.DeleteAsync($"/v1/profiles/{watched}");
        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        foreach (var stream in new[] { onOne, onTwo })
        {
            await stream.UntilAsync((name, data) => name == "deleted" && (string?)data["profileId"] == survivor);
            Assert.True(await stream.EndsWithinAsync(TimeSpan.FromSeconds(10)), "The stream of an erased profile id stays open.");
        }
    }

    [Fact]
    public async Task Erasure_leaves_no_trace_in_Redis_tells_subscribers_and_a_later_touchpoint_starts_afresh()
    {
        var email = $"forget.{_run}@example.com";
        var trait = $"Trait-{_run}";
        await _one.Api.IngestAsync(Touch("e1", 0, ("email", email)));
        await _two.Api.IngestAsync(Touch("e2", 1, ("cookie", $"ck-{_run}")));
        var merged = await _two.Api.IngestAsync(new JsonObject
        {
            ["id"] = $"{_run}-e3", ["channel"] = "web", ["type"] = "login", ["traits"] = new JsonObject { ["secret"] = trait },
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "cookie", ["value"] = $"ck-{_run}" }, new JsonObject { ["type"] = "email", ["value"] = email }),
        });
        var survivor = (string)merged[0]!["profileId"]!;
        var profile = await _one.Api.LookupAsync("email", email);
        string[] profileIds = [survivor, .. profile["mergedProfileIds"]!.AsArray().Select(id => (string)id!)];
        await using var watcher = await EventStream.OpenAsync(_two.Http, "email", email);
        await watcher.UntilAsync((name, _) => name == "profile");

        using var erase = await _one.Http.DeleteAsync($"/v1/profiles/{profileIds[^1]}");

        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        await watcher.UntilAsync((name, data) => name == "deleted" && (string?)data["profileId"] == survivor);
        foreach (var id in profileIds)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _two.Api.GetAsync($"/v1/profiles/{id}")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await _two.Api.GetAsync($"/v1/profiles/{id}/journey")).Status);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await _one.Api.GetAsync($"/v1/profiles/lookup?type=email&value={email}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _two.Api.GetAsync($"/v1/profiles/lookup?type=cookie&value=ck-{_run}")).Status);
        var redis = await _redis.DumpAsync();
        foreach (var trace in profileIds.Concat([$"{_run}-e1", $"{_run}-e2", $"{_run}-e3", trait]))
        {
            Assert.DoesNotContain(trace, redis);
        }

        var fresh = await _one.Api.IngestAsync(Touch("after", 5, ("email", email), ("cookie", $"ck-{_run}")));
        Assert.Equal("accepted", (string?)fresh[0]!["status"]);
        var afresh = await _two.Api.LookupAsync("cookie", $"ck-{_run}");
        Assert.Equal(1, (int)afresh["touchpoints"]!);
        Assert.DoesNotContain((string)afresh["profileId"]!, profileIds);
        Assert.False(afresh["traits"]!.AsObject().ContainsKey("secret"));
    }

    [Fact]
    public async Task Erasure_racing_with_ingest_on_the_same_identifiers_leaves_a_fresh_profile_or_nothing()
    {
        var email = $"race.{_run}@example.com";
        var before = Enumerable.Range(0, 30).Select(n => Touch($"before-{n}", n, ("email", email), ("cookie", $"ck-{n % 3}-{_run}"))).ToArray();
        await _one.Api.IngestAsync(before);
        var profileId = (string)(await _one.Api.LookupAsync("email", email))["profileId"]!;

        var racing = Enumerable.Range(0, 40).Select(n => Touch($"racing-{n}", 100 + n, ("email", email), ("cookie", $"ck-{n % 3}-{_run}"))).ToArray();
        var writers = racing.Chunk(5).Select((batch, i) => (i % 2 == 0 ? _one : _two).Api.IngestAsync(batch));
        var eraser = _two.Http.DeleteAsync($"/v1/profiles/{profileId}");
        await Task.WhenAll([.. writers, eraser]);

        var (status, after) = await _one.Api.GetAsync($"/v1/profiles/lookup?type=email&value={email}");
        if (status == HttpStatusCode.NotFound) return;
        var journey = await _two.Api.JourneyIdsAsync((string)after!["profileId"]!);
        Assert.DoesNotContain(journey, id => id.Contains("-before-"));
        Assert.Equal(journey.Count, (int)after["touchpoints"]!);
        Assert.All(journey, id => Assert.Contains("-racing-", id));
        for (var n = 0; n < 3; n++)
        {
            Assert.Equal((string?)after["profileId"], (string?)(await _two.Api.LookupAsync("cookie", $"ck-{n}-{_run}"))["profileId"]);
        }
    }

    [Fact]
    public async Task Closing_a_thousand_live_connections_leaves_no_subscription_behind()
    {
        var email = $"churn.{_run}@example.com";
        await _one.Api.IngestAsync(Touch("churn", 0, ("email", email)));
        for (var cycle = 0; cycle < 1000; cycle++)
        {
            await using var stream = await EventStream.OpenAsync((cycle % 2 == 0 ? _one : _two).Http, "email", email);
            await stream.NextAsync();
        }

        foreach (var node in new[] { _one, _two })
        {
            await WaitForSubscribersAsync(node, 0);
        }
    }

    private static async Task WaitForSubscribersAsync(NodeProcess node, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var metrics = await node.Http.GetStringAsync("/metrics");
            var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("profiles_live_subscribers", StringComparison.Ordinal));
            var value = line is null ? 0 : long.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
            if (value == expected) return;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"{value} live subscribers still open on a node:\n{line}");
            await Task.Delay(200);
        }
    }

    private JsonObject Touch(string name, int minutes, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make($"{_run}-{name}", "web", "page_view", new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero).AddMinutes(minutes), identifiers);
}

/// <summary>The same on a three-master Redis Cluster: erased data is gone from every master.</summary>
public sealed class LiveAndErasureOnRedisClusterTests : LiveAndErasureTests
{
    protected override RedisTopology Topology => RedisTopology.ThreeMasterCluster;
}
