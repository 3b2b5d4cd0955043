using System.Text.Json.Nodes;
using Profiles.Contracts;
using Profiles.Contracts.Http;
using static Profiles.Segment.Tests.AnalyticsLibraries;

namespace Profiles.Segment.Tests;

/// <summary>
/// A consent manager's choices, as analytics.js and analytics-node put them on every event
/// (<c>context.consent.categoryPreferences</c>), become the customer's consent decisions through the node's mapping of
/// categories to purposes: honoured in every answer, in the decision history and in the feed.
/// </summary>
[Collection(SegmentNodesCollection.Name)]
public sealed class ConsentTests(SegmentNodes nodes)
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Category_preferences_sent_through_analytics_node_are_the_customers_consent_and_a_withdrawal_reaches_the_feed()
    {
        var (cookie, userId) = ($"ck-{_run}", $"u-{_run}");
        var accepted = DateTimeOffset.UtcNow.AddMinutes(-10);
        await SendAsync(AnalyticsNode, nodes.Keyed.BaseUrl, SegmentNodes.WebKey,
            Call("page", Event($"{_run}-banner", accepted, cookie, null, ("Advertising", true), ("Analytics", true), ("Functional", true))),
            Call("identify", Event($"{_run}-signin", accepted.AddMinutes(1), cookie, userId, ("Advertising", true), ("Analytics", true), ("Personalization", false))));
        var profile = await nodes.KeyedReader.LookupAsync("customer_id", userId);
        var profileId = (string)profile["profileId"]!;

        Assert.Equal("granted", (string?)profile["consent"]!["marketing"]!["status"]);
        Assert.Equal("granted", (string?)profile["consent"]!["analytics"]!["status"]);
        Assert.Equal("denied", (string?)profile["consent"]!["personalisation"]!["status"]);
        // A storefront's read of a customer who refused personalisation: nothing to personalise with.
        var storefront = (await nodes.KeyedReader.GetAsync(ApiPaths.Lookup(new IdentifierInput("cookie", cookie), ["computed", "audiences"]))).Body!;
        Assert.Empty(storefront["computed"]!.AsObject());
        Assert.Empty(storefront["audiences"]!.AsArray());

        // Later, in the preferences centre, the customer turns advertising off.
        var withdrawal = Event($"{_run}-prefs", accepted.AddMinutes(5), cookie, userId, ("Advertising", false), ("Analytics", true), ("Personalization", false));
        withdrawal["event"] = "Preferences Updated";
        await SendAsync(AnalyticsNode, nodes.Keyed.BaseUrl, SegmentNodes.WebKey, Call("track", withdrawal));

        profile = await nodes.KeyedReader.LookupAsync("customer_id", userId);
        Assert.Equal("denied", (string?)profile["consent"]!["marketing"]!["status"]);
        var history = (await nodes.KeyedReader.GetAsync(ApiPaths.Consent(profileId))).Body!["decisions"]!.AsArray();
        var marketing = history.Where(d => (string?)d!["purpose"] == "marketing").ToList();
        Assert.Equal([($"{_run}-prefs", "denied"), ($"{_run}-signin", "granted"), ($"{_run}-banner", "granted")],
            marketing.Select(d => ((string)d!["touchpointId"]!, (string)d["status"]!)));
        Assert.All(history, d => Assert.Equal<(string?, string?)>(("web", null), ((string?)d!["channelOfTouchpoint"], (string?)d["channel"])));
        Assert.DoesNotContain(history, d => (string?)d!["purpose"] is not ("marketing" or "analytics" or "personalisation"));

        var changes = await ConsentChangesAsync(profileId);
        Assert.Equal([("marketing", "granted"), ("personalisation", "denied"), ("marketing", "denied")], changes);
    }

    [Fact]
    public async Task A_retry_of_an_event_with_its_preferences_is_a_duplicate_and_changes_no_consent()
    {
        var cookie = $"ck-{_run}";
        var call = Call("page", Event($"{_run}-banner", DateTimeOffset.UtcNow.AddMinutes(-1), cookie, null, ("Advertising", true)));
        await SendAsync(AnalyticsNode, nodes.Keyed.BaseUrl, SegmentNodes.WebKey, call);
        var before = await nodes.KeyedReader.LookupAsync("cookie", cookie);

        await SendAsync(AnalyticsNode, nodes.Keyed.BaseUrl, SegmentNodes.WebKey, call);

        var after = await nodes.KeyedReader.LookupAsync("cookie", cookie);
        Assert.Equal((int)before["version"]!, (int)after["version"]!);
        Assert.Equal("granted", (string?)after["consent"]!["marketing"]!["status"]);
        Assert.Single((await nodes.KeyedReader.GetAsync(ApiPaths.Consent((string)after["profileId"]!))).Body!["decisions"]!.AsArray());
    }

    private static JsonObject Event(string messageId, DateTimeOffset at, string cookie, string? userId, params (string Category, bool Allowed)[] preferences)
    {
        var categories = new JsonObject();
        foreach (var (category, allowed) in preferences) categories[category] = allowed;
        var message = new JsonObject
        {
            ["anonymousId"] = cookie, ["messageId"] = messageId, ["timestamp"] = at.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
            ["context"] = new JsonObject { ["consent"] = new JsonObject { ["categoryPreferences"] = categories } },
        };
        if (userId is not null) message["userId"] = userId;
        return message;
    }

    /// <summary>The profile's consent changes in the feed, in feed order, as (purpose, status) of the purpose-wide status.</summary>
    private async Task<List<(string Purpose, string Status)>> ConsentChangesAsync(string profileId)
    {
        var changes = new List<(string, string)>();
        string? after = null;
        while (true)
        {
            var page = (await nodes.KeyedReader.GetAsync(ApiPaths.Changes(after, 1000))).Body!;
            var items = page["items"]!.AsArray();
            changes.AddRange(items
                .Where(c => (string?)c!["type"] == "consent" && (string?)c["profileId"] == profileId && c["channel"] is null)
                .Select(c => ((string)c!["purpose"]!, (string)c["status"]!)));
            if (items.Count == 0) return changes;
            after = (string?)page["nextCursor"];
        }
    }
}
