using System.Text.Json;
using System.Text.Json.Nodes;
using Profiles.Contracts;
using Profiles.Testing;
using static Profiles.Client.Tests.TouchpointsFor;

namespace Profiles.Client.Tests;

/// <summary>The client against two real node processes on a real Redis, gateways found through Redis.</summary>
public sealed class RedisClientTests(RedisNodesFixture nodes) : IClassFixture<RedisNodesFixture>
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task The_client_and_the_HTTP_API_give_the_same_results_and_the_same_profile()
    {
        var email = $"same.{_run}@example.com";
        TouchpointInput[] touchpoints =
        [
            new($"{_run}-pos", DateTimeOffset.Parse("2026-11-22T10:15:00+01:00"), "store", "purchase",
                [new IdentifierInput("loyalty_id", $"FR-{_run}"), new IdentifierInput("email", email), new IdentifierInput("phone", "06 12 34 56 7")],
                new Dictionary<string, object?> { ["city"] = "Lyon" }, new Dictionary<string, object?> { ["amount"] = 89.90m, ["category"] = "shoes" }),
            new($"{_run}-blocked", null, "web", "signup", [new IdentifierInput("email", "test@test.com")]),
            new($"{_run}-future", DateTimeOffset.UtcNow.AddDays(3), "web", "page_view", [new IdentifierInput("cookie", $"ck-{_run}")]),
            new($"{_run}-trait", null, "web", "page_view", [new IdentifierInput("cookie", $"ck-{_run}")], new Dictionary<string, object?> { ["sizes"] = new[] { 42, 43 } }),
            new($"{_run}-no-value", null, "web", "page_view", [new IdentifierInput("cookie")]),
        ];
        // The HTTP body as a client of the HTTP API writes it by hand.
        var http = await nodes.Two.Api.IngestAsync(JsonNode.Parse($$"""
            [{ "id": "{{_run}}-pos-http", "occurredAt": "2026-11-22T10:15:00+01:00", "channel": "store", "type": "purchase",
               "identifiers": [{ "type": "loyalty_id", "value": "FR-{{_run}}" }, { "type": "email", "value": "{{email}}" }, { "type": "phone", "value": "06 12 34 56 7" }],
               "traits": { "city": "Lyon" }, "properties": { "amount": 89.90, "category": "shoes" } },
             { "id": "{{_run}}-blocked", "channel": "web", "type": "signup", "identifiers": [{ "type": "email", "value": "test@test.com" }] },
             { "id": "{{_run}}-future", "occurredAt": "{{DateTimeOffset.UtcNow.AddDays(3):O}}", "channel": "web", "type": "page_view", "identifiers": [{ "type": "cookie", "value": "ck-{{_run}}" }] },
             { "id": "{{_run}}-trait", "channel": "web", "type": "page_view", "identifiers": [{ "type": "cookie", "value": "ck-{{_run}}" }], "traits": { "sizes": [42, 43] } },
             { "id": "{{_run}}-no-value", "channel": "web", "type": "page_view", "identifiers": [{ "type": "cookie" }] }]
            """)!);

        var client = await nodes.Profiles.IngestAsync(touchpoints);

        Assert.Equal(TouchpointResult.Accepted, client[0].Status);
        for (var i = 0; i < touchpoints.Length; i++)
        {
            var fromHttp = http[i]!.AsObject();
            fromHttp.Remove("id");
            fromHttp.Remove("profileId");
            var fromClient = JsonSerializer.SerializeToNode(client[i] with { Id = null, ProfileId = null }, JsonSerializerOptions.Web)!;
            Assert.Equal(fromHttp.ToJsonString(), fromClient.ToJsonString());
        }
        Assert.Equal("occurredAt: is more than 24 h in the future", client[2].Error);

        var viaClient = await nodes.Profiles.LookupAsync("email", email);
        var viaHttp = await nodes.One.Api.LookupAsync("email", email);
        var clientJson = JsonNode.Parse(ProfileComparer.Json(viaClient));
        Assert.True(JsonNode.DeepEquals(viaHttp, clientJson), $"HTTP: {viaHttp}\nclient: {clientJson}");
    }

    [Fact]
    public async Task A_watch_follows_a_merge_made_by_writers_on_both_nodes()
    {
        var cookie = $"ck-{_run}";
        var email = $"merge.{_run}@example.com";
        var cookieProfile = (await nodes.One.Api.IngestAsync([Visit($"{_run}-c1", 0, ("cookie", cookie))]))[0].ProfileId;
        await using var watch = WatchReader.Start(nodes.Profiles, "email", email);
        Assert.Null(await watch.NextAsync());

        await nodes.Two.Api.IngestAsync([Visit($"{_run}-e1", 1, ("email", email))]);
        var own = await watch.UntilAsync(p => p.Touchpoints == 1);
        await nodes.Profiles.IngestAsync([Visit($"{_run}-login", 2, ("cookie", cookie), ("email", email))]);

        var merged = await watch.UntilAsync(p => p.Touchpoints == 3);
        Assert.Equal(cookieProfile, merged.ProfileId);
        Assert.Contains(own.ProfileId, merged.MergedProfileIds);
        await nodes.One.Api.IngestAsync([Visit($"{_run}-c2", 3, ("cookie", cookie))]);
        await watch.UntilAsync(p => p.Touchpoints == 4);
    }

    [Fact]
    public async Task A_watch_that_ends_leaves_no_lease_on_any_node()
    {
        var email = $"leases.{_run}@example.com";
        await nodes.Profiles.IngestAsync([Visit($"{_run}-1", 0, ("email", email))]);
        // Watches of the tests before this one give their leases back in the background.
        Assert.Equal(0, await nodes.StreamLeasesAsync(expected: 0, within: TimeSpan.FromSeconds(10)));

        await using (var watch = WatchReader.Start(nodes.Profiles, "email", email))
        {
            await watch.UntilAsync(p => p.Touchpoints == 1);
            // The identifier's lease and its profile's; the second may be written just after the first change arrives.
            Assert.Equal(2, await nodes.StreamLeasesAsync(expected: 2, within: TimeSpan.FromSeconds(10)));
        }

        Assert.Equal(0, await nodes.StreamLeasesAsync(expected: 0, within: TimeSpan.FromSeconds(10)));
    }
}
