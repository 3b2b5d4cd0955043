using System.Net;
using System.Text.Json.Nodes;
using Profiles.Testing;
using static Profiles.Segment.Tests.AnalyticsLibraries;

namespace Profiles.Segment.Tests;

/// <summary>
/// Paul's week as a retailer's existing instrumentation reports it. The web site's server, on analytics-node: a visit
/// from another browser, that browser's cookie aliased to his customer id, a visit with his usual cookie, a cart add,
/// and his sign-in (user id and e-mail). The app, on RudderStack's library: a screen, a sign-in by e-mail on the
/// device, and an order. One customer: two cookies, a device, a user id and an e-mail, five web and three app
/// touchpoints. The web calls carry their message ids and times, so sending them again is what a library's retry sends.
/// </summary>
public sealed class ShopperJourney(string run)
{
    private readonly string _at = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ss.fffZ");

    public string Cookie { get; } = $"ck-{run}";
    public string OldCookie { get; } = $"ck-old-{run}";
    public string Device { get; } = $"dev-{run}";
    public string UserId { get; } = $"u-{run}";
    public string Email { get; } = $"paul.{run}@example.com";

    public IReadOnlyList<(string Type, string Value)> Identifiers =>
        [("cookie", Cookie), ("cookie", OldCookie), ("device_id", Device), ("customer_id", UserId), ("email", Email)];

    /// <summary>The ids of the web calls: their message ids.</summary>
    public IReadOnlyList<string> WebMessageIds => [.. Enumerable.Range(1, 5).Select(MessageId)];

    public JsonObject[] WebCalls =>
    [
        Call("page", new JsonObject { ["anonymousId"] = OldCookie, ["name"] = "Home", ["messageId"] = MessageId(1), ["timestamp"] = _at }),
        Call("alias", new JsonObject { ["previousId"] = OldCookie, ["userId"] = UserId, ["messageId"] = MessageId(2), ["timestamp"] = _at }),
        Call("page", new JsonObject
        {
            ["anonymousId"] = Cookie, ["name"] = "Trail 42", ["messageId"] = MessageId(3), ["timestamp"] = _at,
            ["properties"] = new JsonObject { ["url"] = "https://shop.example/trail-42", ["category"] = "shoes" },
        }),
        Call("track", new JsonObject
        {
            ["anonymousId"] = Cookie, ["event"] = "Product Added", ["messageId"] = MessageId(4), ["timestamp"] = _at,
            ["properties"] = new JsonObject { ["sku"] = "TRAIL-42", ["category"] = "shoes", ["price"] = 89.9 },
        }),
        Call("identify", new JsonObject
        {
            ["anonymousId"] = Cookie, ["userId"] = UserId, ["messageId"] = MessageId(5), ["timestamp"] = _at,
            ["traits"] = new JsonObject { ["email"] = $" {Email.ToUpperInvariant()} ", ["firstName"] = "Paul", ["address"] = new JsonObject { ["city"] = "Lyon" } },
        }),
    ];

    public JsonObject[] AppCalls =>
    [
        Call("screen", new JsonObject { ["anonymousId"] = Device, ["name"] = "Home" }),
        Call("identify", new JsonObject { ["anonymousId"] = Device, ["traits"] = new JsonObject { ["email"] = Email } }),
        Call("track", new JsonObject
        {
            ["anonymousId"] = Device, ["event"] = "Order Completed",
            ["properties"] = new JsonObject { ["order_id"] = $"o-{run}", ["revenue"] = 89.9, ["currency"] = "EUR", ["category"] = "shoes" },
        }),
    ];

    /// <summary>Sends the web calls through analytics-node with the web key and the app calls through RudderStack's
    /// library with the app key.</summary>
    public async Task SendAsync(NodeProcess node)
    {
        await AnalyticsLibraries.SendAsync(AnalyticsNode, node.BaseUrl, SegmentNodes.WebKey, WebCalls);
        await AnalyticsLibraries.SendAsync(RudderSdkNode, node.BaseUrl, SegmentNodes.AppKey, AppCalls);
    }

    /// <summary>Every identifier finds the one profile, holding the eight touchpoints once each; returns it.</summary>
    public async Task<JsonNode> AssertOneCustomerAsync(Api reader)
    {
        var profiles = new List<JsonNode>();
        foreach (var (type, value) in Identifiers) profiles.Add(await reader.LookupAsync(type, value));
        var profile = profiles[0];
        var profileId = (string)profile["profileId"]!;
        Assert.All(profiles, p => Assert.Equal(profileId, (string)p["profileId"]!));

        Assert.Equal(8, (int)profile["touchpoints"]!);
        Assert.Equal(5, (int)profile["channels"]!["web"]!["touchpoints"]!);
        Assert.Equal(3, (int)profile["channels"]!["app"]!["touchpoints"]!);
        Assert.Equal(["cookie", "cookie", "customer_id", "device_id", "email"], profile["identifiers"]!.AsArray().Select(i => (string)i!["type"]!).Order());
        // Identifier values never become traits.
        Assert.Equal("""{"address.city":"Lyon","firstName":"Paul"}""", profile["traits"]!.ToJsonString());
        Assert.Equal(1, (int)profile["computed"]!["orders"]!);
        Assert.Equal(1, (int)profile["computed"]!["cart_adds_30d"]!);

        var journey = await reader.JourneyIdsAsync(profileId);
        Assert.Equal(8, journey.Count);
        Assert.Equal(8, journey.Distinct().Count());
        Assert.Subset(journey.ToHashSet(), WebMessageIds.ToHashSet());
        return profile;
    }

    private string MessageId(int step) => $"web-{run}-{step}";
}
