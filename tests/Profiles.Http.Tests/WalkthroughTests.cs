using System.Text.Json.Nodes;

using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>The README's walk-through, step by step: one customer across web, login and shop.</summary>
[Collection(NodeCollection.Name)]
public class WalkthroughTests(NodeFixture node)
{
    private readonly Api _api = new(node.CreateClient());

    [Fact]
    public async Task A_cookie_that_browses_logs_in_and_buys_in_a_shop_is_one_profile_with_one_journey()
    {
        var run = Guid.NewGuid().ToString("n")[..8];
        var email = $"paul.martin.{run}@example.com";
        await _api.IngestAsync(JsonNode.Parse($$"""
            [{ "id": "web-{{run}}-1", "occurredAt": "2026-11-20T18:02:00+01:00", "channel": "web", "type": "page_view",
               "identifiers": [{ "type": "cookie", "value": "ck-{{run}}" }], "properties": { "url": "/shoes/trail-42" } },
             { "id": "web-{{run}}-2", "occurredAt": "2026-11-20T18:04:00+01:00", "channel": "web", "type": "add_to_cart",
               "identifiers": [{ "type": "cookie", "value": "ck-{{run}}" }], "properties": { "sku": "TRAIL-42" } }]
            """)!);
        var anonymous = await _api.LookupAsync("cookie", $"ck-{run}");

        await _api.IngestAsync(JsonNode.Parse($$"""
            { "id": "web-{{run}}-3", "occurredAt": "2026-11-20T18:05:00+01:00", "channel": "web", "type": "login",
              "identifiers": [{ "type": "cookie", "value": "ck-{{run}}" }, { "type": "email", "value": " {{email.ToUpperInvariant()}} " }],
              "traits": { "firstName": "Paul" } }
            """)!);
        await _api.IngestAsync(JsonNode.Parse($$"""
            { "id": "pos-{{run}}", "occurredAt": "2026-11-22T10:15:00+01:00", "channel": "store", "type": "purchase",
              "identifiers": [{ "type": "loyalty_id", "value": "FR-{{run}}" }, { "type": "email", "value": "{{email}}" },
                              { "type": "phone", "value": "06 12 34 56 78" }],
              "traits": { "city": "Lyon" }, "properties": { "storeId": "LYON-2", "amount": 89.90, "currency": "EUR" } }
            """)!);

        var profile = await _api.LookupAsync("loyalty_id", $"FR-{run}");
        Assert.Equal(anonymous["profileId"]!.GetValue<string>(), profile["profileId"]!.GetValue<string>());
        Assert.Equal(4, (int)profile["touchpoints"]!);
        Assert.Equal(3, (int)profile["channels"]!["web"]!["touchpoints"]!);
        Assert.Equal(1, (int)profile["channels"]!["store"]!["touchpoints"]!);
        Assert.Equal("Paul", (string?)profile["traits"]!["firstName"]);
        Assert.Equal("Lyon", (string?)profile["traits"]!["city"]);
        Assert.Equal(["cookie", "email", "loyalty_id", "phone"], profile["identifiers"]!.AsArray().Select(i => (string)i!["type"]!).Order());
        Assert.Equal([$"pos-{run}", $"web-{run}-3", $"web-{run}-2", $"web-{run}-1"],
            await _api.JourneyIdsAsync((string)profile["profileId"]!));
    }
}
