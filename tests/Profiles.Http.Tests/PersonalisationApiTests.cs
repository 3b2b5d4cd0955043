using System.Net;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>Computed traits and audiences (docs/PERSONALISATION.md) over HTTP, with the shipped retail defaults of appsettings.json.</summary>
[Collection(NodeCollection.Name)]
public class PersonalisationApiTests(NodeFixture node)
{
    private static readonly string[] ShippedTraits =
    [
        "cart_adds_30d", "category_affinity", "favourite_category", "last_order", "orders", "orders_180d", "orders_30d",
        "revenue", "revenue_365d", "stores_visited",
    ];

    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task Every_profile_answer_carries_every_computed_trait_and_the_audiences_sorted()
    {
        var email = $"paul.{_run}@example.com";
        await _api.IngestAsync(new[]
        {
            Touch($"{_run}-web", "web", "add_to_cart", ("email", email), new() { ["category"] = "shoes" }),
            Touch($"{_run}-pos", "store", "purchase", ("email", email), new() { ["amount"] = 89.90, ["category"] = "shoes", ["storeId"] = "LYON-2" }),
        });

        var profile = await _api.LookupAsync("email", email);

        var computed = profile["computed"]!.AsObject();
        Assert.Equal(ShippedTraits, computed.Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal(1, (int)computed["orders"]!);
        Assert.Equal(89.9m, (decimal)computed["revenue"]!);
        Assert.Equal(89.9m, (decimal)computed["revenue_365d"]!);
        Assert.Equal("shoes", (string?)computed["favourite_category"]);
        Assert.Equal(1, (int)computed["stores_visited"]!);
        Assert.Equal(1, (int)computed["cart_adds_30d"]!);
        Assert.Equal(_now.UtcDateTime, DateTimeOffset.Parse((string)computed["last_order"]!).UtcDateTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(["shoes"], computed["category_affinity"]!.AsObject().Select(a => a.Key));
        Assert.Equal(["omnichannel", "one_time_buyers"], profile["audiences"]!.AsArray().Select(a => (string?)a));
        var byId = (await _api.GetAsync($"/v1/profiles/{profile["profileId"]}")).Body!;
        Assert.Equal(computed.ToJsonString(), byId["computed"]!.ToJsonString());
    }

    [Fact]
    public async Task Traits_that_matched_nothing_show_zero_or_null()
    {
        var cookie = $"ck-{_run}";
        await _api.IngestAsync(Touch($"{_run}-view", "web", "page_view", ("cookie", cookie)));

        var profile = await _api.LookupAsync("cookie", cookie);

        var computed = profile["computed"]!.AsObject();
        Assert.Equal(0, (int)computed["orders"]!);
        Assert.Equal(0, (int)computed["stores_visited"]!);
        Assert.Null(computed["revenue"]);
        Assert.Null(computed["favourite_category"]);
        Assert.Null(computed["last_order"]);
        Assert.Empty(computed["category_affinity"]!.AsObject());
        Assert.True(computed.ContainsKey("revenue"));
        Assert.Empty(profile["audiences"]!.AsArray());
    }

    [Fact]
    public async Task Fields_computed_and_audiences_answers_only_those_with_the_id_and_version()
    {
        var email = $"fields.{_run}@example.com";
        var profileId = (string)(await _api.IngestAsync(Touch($"{_run}-f", "store", "purchase", ("email", email), new() { ["amount"] = 12 })))[0]!["profileId"]!;

        foreach (var path in new[] { $"/v1/profiles/lookup?type=email&value={email}&fields=computed,audiences", $"/v1/profiles/{profileId}?fields=audiences,computed" })
        {
            var (status, body) = await _api.GetAsync(path);

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(["profileId", "computed", "audiences", "consent", "version"], body!.AsObject().Select(p => p.Key));
            Assert.Equal(profileId, (string?)body["profileId"]);
            Assert.Equal(12, (int)body["computed"]!["revenue"]!);
            Assert.Equal(["one_time_buyers"], body["audiences"]!.AsArray().Select(a => (string?)a));
            Assert.Equal(1, (int)body["version"]!);
        }
    }

    [Theory]
    [InlineData("computed", new[] { "profileId", "computed", "consent", "version" })]
    [InlineData("traits, channels", new[] { "profileId", "traits", "channels", "consent", "version" })]
    [InlineData("touchpoints,audiences,version", new[] { "profileId", "touchpoints", "audiences", "consent", "version" })]
    public async Task Fields_lists_the_top_level_parts_to_answer_with(string fields, string[] expected)
    {
        var email = $"parts.{_run}@example.com";
        await _api.IngestAsync(Touch($"{_run}-p", "web", "login", ("email", email)));

        var (status, body) = await _api.GetAsync($"/v1/profiles/lookup?type=email&value={email}&fields={Uri.EscapeDataString(fields)}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, body!.AsObject().Select(p => p.Key));
    }

    [Theory]
    [InlineData("/v1/profiles/lookup?type=email&value=a@b.co&fields=computed,colour", "'colour'")]
    [InlineData("/v1/profiles/lookup?type=email&value=a@b.co&fields=", "fields")]
    [InlineData("/v1/profiles/0000000000000000000000000000?fields=Computed", "'Computed'")]
    public async Task An_unknown_field_is_a_400_problem_naming_it(string path, string named)
    {
        var (status, problem) = await _api.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("fields:", (string?)problem!["detail"]);
        Assert.Contains(named, (string?)problem["detail"]);
    }

    [Fact]
    public async Task Merged_profiles_show_the_computed_traits_of_all_their_touchpoints()
    {
        var (email, loyalty) = ($"merge.{_run}@example.com", $"L-{_run}");
        await _api.IngestAsync(Touch($"{_run}-m1", "web", "purchase", ("email", email), new() { ["amount"] = 10.25, ["category"] = "bags" }));
        await _api.IngestAsync(Touch($"{_run}-m2", "store", "purchase", ("loyalty_id", loyalty), new() { ["amount"] = 20, ["category"] = "shoes", ["storeId"] = "PARIS-1" }));
        Assert.NotEqual((string?)(await _api.LookupAsync("email", email))["profileId"], (string?)(await _api.LookupAsync("loyalty_id", loyalty))["profileId"]);

        var link = Touch($"{_run}-m3", "store", "purchase", ("email", email), new() { ["amount"] = 5, ["category"] = "shoes", ["storeId"] = "LYON-2" });
        link["identifiers"]!.AsArray().Add(new JsonObject { ["type"] = "loyalty_id", ["value"] = loyalty });
        await _api.IngestAsync(link);

        var computed = (await _api.LookupAsync("email", email))["computed"]!;
        Assert.Equal(3, (int)computed["orders"]!);
        Assert.Equal(35.25m, (decimal)computed["revenue"]!);
        Assert.Equal("shoes", (string?)computed["favourite_category"]);
        Assert.Equal(2, (int)computed["stores_visited"]!);
    }

    [Fact]
    public async Task The_live_stream_carries_computed_traits_and_audiences_as_they_change()
    {
        var email = $"live.{_run}@example.com";
        await _api.IngestAsync(Touch($"{_run}-l1", "web", "add_to_cart", ("email", email), new() { ["category"] = "bags" }));
        await using var stream = await EventStream.OpenAsync(node.CreateClient(), "email", email);
        await stream.UntilAsync((_, data) => (int?)data["computed"]?["cart_adds_30d"] == 1);

        await _api.IngestAsync(Touch($"{_run}-l2", "store", "purchase", ("email", email), new() { ["amount"] = 40, ["category"] = "bags" }));

        var (_, changed) = await stream.UntilAsync((_, data) => (int?)data["computed"]?["orders"] == 1);
        Assert.Equal(["omnichannel", "one_time_buyers"], changed["audiences"]!.AsArray().Select(a => (string?)a));
    }

    private JsonObject Touch(string id, string channel, string type, (string Type, string Value) identifier, JsonObject? properties = null)
    {
        var touchpoint = TouchpointJson.Make(id, channel, type, _now, identifier);
        if (properties is not null) touchpoint["properties"] = properties;
        return touchpoint;
    }
}
