using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Profiles.Grains.Standing;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>Consent as messaging tools see it (docs/CONSENT.md): the SMS-marketing audience, <c>consent</c> changes in the
/// feed, consent counts in <c>/v1/stats</c>, and a grant that expires with no new touchpoint.</summary>
public class ConsentChangesTests(ClockedNodeFixture node) : IClassFixture<ClockedNodeFixture>
{
    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task An_sms_stop_leaves_the_sms_audience_and_the_feed_says_so_with_the_purpose_and_channel()
    {
        var phone = Phone();
        var cursor = await FeedEndAsync();
        await _api.IngestAsync(Touch($"{_run}-optin", "sms", "sms_reply", ("phone", phone), 10, Decision("marketing", "sms", "granted")));
        var profileId = (string)(await _api.LookupAsync("phone", phone))["profileId"]!;
        Assert.Contains(profileId, await MembersAsync());

        await _api.IngestAsync(Touch($"{_run}-stop", "sms", "sms_reply", ("phone", phone), 5, Decision("marketing", "sms", "denied")));

        Assert.DoesNotContain(profileId, await MembersAsync());
        var changes = await ChangesAfterAsync(cursor, profileId);
        Assert.Equal(
            ["audience.entered sms_marketing", "consent marketing sms granted", "audience.exited sms_marketing", "consent marketing sms denied"],
            changes.Where(c => (string?)c["type"] != "touchpoint").Select(Described));
    }

    [Fact]
    public async Task A_purpose_wide_decision_is_announced_with_a_null_channel_and_its_channels_with_it()
    {
        var email = $"wide.{_run}@example.com";
        var cursor = await FeedEndAsync();
        await _api.IngestAsync(Touch($"{_run}-email", "email", "newsletter_subscribe", ("email", email), 30, Decision("marketing", "email", "granted")));
        await _api.IngestAsync(Touch($"{_run}-all", "web", "preferences", ("email", email), 20, Decision("marketing", null, "granted")));
        await _api.IngestAsync(Touch($"{_run}-none", "web", "preferences", ("email", email), 10, Decision("marketing", null, "denied")));
        var profileId = (string)(await _api.LookupAsync("email", email))["profileId"]!;

        var consent = (await ChangesAfterAsync(cursor, profileId)).Where(c => (string?)c["type"] == "consent").ToList();

        Assert.Equal(["consent marketing email granted", "consent marketing granted", "consent marketing denied", "consent marketing email denied"],
            consent.Select(Described));
        Assert.True(consent[1].AsObject().ContainsKey("channel"));
        Assert.Null(consent[1]["channel"]);
    }

    [Fact]
    public async Task A_grant_that_expires_leaves_the_audience_and_is_announced_and_counted_when_the_recheck_runs()
    {
        var phone = Phone();
        var expiresAt = node.Clock.GetUtcNow().AddHours(2);
        await _api.IngestAsync(Touch($"{_run}-grant", "sms", "sms_reply", ("phone", phone), 5,
            Decision("marketing", null, "granted", expiresAt), Decision("marketing", "sms", "granted", expiresAt)));
        var profileId = (string)(await _api.LookupAsync("phone", phone))["profileId"]!;
        Assert.Contains(profileId, await MembersAsync());
        var granted = await GrantedAsync("marketing");
        var cursor = await FeedEndAsync();

        node.Clock.Shift += TimeSpan.FromHours(3);
        Assert.Equal("denied", (string?)(await _api.LookupAsync("phone", phone))["consent"]!["marketing"]!["status"]);
        await node.Services.GetRequiredService<AudienceRecheck>().RecheckDueAsync();

        Assert.DoesNotContain(profileId, await MembersAsync());
        Assert.Equal(granted - 1, await GrantedAsync("marketing"));
        Assert.Equal(
            ["audience.exited sms_marketing", "consent marketing denied", "consent marketing sms denied"],
            (await ChangesAfterAsync(cursor, profileId)).Select(Described));
    }

    [Fact]
    public async Task Consent_counts_follow_decisions_merges_and_erasure()
    {
        var (email, loyalty) = ($"counts.{_run}@example.com", $"L-{_run}");
        var before = await StatsAsync();
        await _api.IngestAsync(Touch($"{_run}-a", "web", "signup", ("email", email), 10, Decision("marketing", null, "granted"), Decision("analytics", null, "denied")));
        await _api.IngestAsync(Touch($"{_run}-b", "store", "purchase", ("loyalty_id", loyalty), 10, Decision("personalisation", null, "denied")));

        // Two customers: marketing granted by one (its default is denied); personalisation and analytics each denied by one.
        Assert.Equal((2, 1, 1, 1), Added(before, await StatsAsync()));

        var link = Touch($"{_run}-link", "store", "purchase", ("email", email), 5);
        link["identifiers"]!.AsArray().Add(new JsonObject { ["type"] = "loyalty_id", ["value"] = loyalty });
        await _api.IngestAsync(link);
        Assert.Equal((1, 1, 0, 0), Added(before, await StatsAsync()));

        using var erased = await node.CreateClient().DeleteAsync($"/v1/profiles/{(string)(await _api.LookupAsync("email", email))["profileId"]!}");
        Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        Assert.Equal((0, 0, 0, 0), Added(before, await StatsAsync()));
    }

    /// <summary>What the stats gained since <paramref name="before"/>: profiles, and the profiles granting marketing,
    /// personalisation and analytics.</summary>
    private static (long Profiles, long Marketing, long Personalisation, long Analytics) Added(JsonNode before, JsonNode after)
    {
        long Of(JsonNode stats, string purpose) => (long)stats["consent"]![purpose]!["granted"]!;
        return ((long)after["profiles"]! - (long)before["profiles"]!,
            Of(after, "marketing") - Of(before, "marketing"),
            Of(after, "personalisation") - Of(before, "personalisation"),
            Of(after, "analytics") - Of(before, "analytics"));
    }

    private async Task<JsonNode> StatsAsync() => (await _api.GetAsync("/v1/stats")).Body!;

    private async Task<long> GrantedAsync(string purpose) => (long)(await StatsAsync())["consent"]![purpose]!["granted"]!;

    private static string Described(JsonNode? change) => (string?)change!["type"] == "consent"
        ? $"consent {(string?)change["purpose"]}{((string?)change["channel"] is { } channel ? " " + channel : "")} {(string?)change["status"]}"
        : $"{(string?)change["type"]} {(string?)change["audience"]}";

    /// <summary>A French mobile number of this test's own.</summary>
    private static string Phone() => $"+33612{Random.Shared.Next(100_000, 1_000_000)}";

    private async Task<List<string>> MembersAsync()
    {
        var (status, page) = await _api.GetAsync("/v1/audiences/sms_marketing/members?limit=1000");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(page!["nextCursor"]);
        return [.. page["items"]!.AsArray().Select(i => (string)i!)];
    }

    private async Task<string> FeedEndAsync()
    {
        string? cursor = null;
        while (true)
        {
            var (_, page) = await _api.GetAsync("/v1/changes?limit=1000" + (cursor is null ? "" : $"&after={cursor}"));
            cursor = (string)page!["nextCursor"]!;
            if (page["items"]!.AsArray().Count == 0) return cursor;
        }
    }

    private async Task<List<JsonNode>> ChangesAfterAsync(string cursor, string profileId)
    {
        var changes = new List<JsonNode>();
        while (true)
        {
            var (_, page) = await _api.GetAsync($"/v1/changes?limit=1000&after={cursor}");
            var items = page!["items"]!.AsArray();
            changes.AddRange(items.Where(c => (string?)c!["profileId"] == profileId).Select(c => c!));
            cursor = (string)page["nextCursor"]!;
            if (items.Count == 0) return changes;
        }
    }

    private static JsonObject Decision(string purpose, string? channel, string status, DateTimeOffset? expiresAt = null)
    {
        var decision = new JsonObject { ["purpose"] = purpose, ["status"] = status };
        if (channel is not null) decision["channel"] = channel;
        if (expiresAt is { } at) decision["expiresAt"] = at.ToString("O");
        return decision;
    }

    private JsonObject Touch(string id, string channel, string type, (string Type, string Value) identifier, int minutesAgo, params JsonObject[] consent)
    {
        var touchpoint = TouchpointJson.Make(id, channel, type, node.Clock.GetUtcNow().AddMinutes(-minutesAgo), identifier);
        if (consent.Length > 0) touchpoint["consent"] = new JsonArray([.. consent]);
        return touchpoint;
    }
}
