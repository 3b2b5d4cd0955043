using System.Net;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>Consent over HTTP (docs/CONSENT.md), with the purposes shipped in appsettings.json: personalisation and
/// analytics granted, marketing denied, until the customer decides.</summary>
[Collection(NodeCollection.Name)]
public class ConsentApiTests(NodeFixture node)
{
    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task Every_profile_answer_carries_every_purpose_with_the_channels_decided_on_their_own()
    {
        var email = $"consent.{_run}@example.com";
        var results = await _api.IngestAsync(Touch($"{_run}-signup", "web", "signup", ("email", email), _now,
            new JsonObject { ["purpose"] = "marketing", ["channel"] = "email", ["status"] = "granted", ["document"] = "privacy-2026-10" },
            new JsonObject { ["purpose"] = "personalisation", ["status"] = "denied" }));

        Assert.Equal("accepted", (string?)results[0]!["status"]);
        Assert.Null(results[0]!["ignored"]);
        var profile = await _api.LookupAsync("email", email);
        Assert.Equal(
            """{"analytics":{"status":"granted","channels":{}},"marketing":{"status":"denied","channels":{"email":"granted"}},"personalisation":{"status":"denied","channels":{}}}""",
            profile["consent"]!.ToJsonString());
        var byId = (await _api.Client.GetProfileAsync((string)profile["profileId"]!)).Value;
        Assert.Equal("granted", byId.Consent["marketing"].Channels["email"]);
    }

    [Fact]
    public async Task A_bad_decision_is_listed_under_ignored_with_its_field_and_the_touchpoint_lands()
    {
        var cookie = $"ck-{_run}";
        var results = await _api.IngestAsync(Touch($"{_run}-bad", "web", "page_view", ("cookie", cookie), _now,
            new JsonObject { ["purpose"] = "profiling", ["status"] = "granted" },
            new JsonObject { ["purpose"] = "marketing", ["status"] = "maybe" },
            new JsonObject { ["purpose"] = "marketing", ["status"] = "granted", ["document"] = new string('v', 129) },
            new JsonObject { ["purpose"] = "marketing", ["status"] = "granted", ["expiresAt"] = "tomorrow" },
            new JsonObject { ["purpose"] = "analytics", ["status"] = "denied" }));

        Assert.Equal("accepted", (string?)results[0]!["status"]);
        var ignored = results[0]!["ignored"]!.AsArray();
        Assert.Equal(["consent[0].purpose", "consent[1].status", "consent[2].document", "consent[3].expiresAt"], ignored.Select(i => (string?)i!["field"]));
        Assert.All(ignored, i => Assert.Equal("invalid", (string?)i!["reason"]));
        Assert.All(ignored, i => Assert.False(string.IsNullOrEmpty((string?)i!["detail"])));
        var consent = (await _api.LookupAsync("cookie", cookie))["consent"]!;
        Assert.Equal("denied", (string?)consent["analytics"]!["status"]);
        Assert.Equal("denied", (string?)consent["marketing"]!["status"]);
    }

    [Fact]
    public async Task Reads_that_name_fields_answer_no_computed_traits_or_audiences_while_personalisation_is_not_granted()
    {
        var email = $"private.{_run}@example.com";
        var profileId = (string)(await _api.IngestAsync(Touch($"{_run}-buy", "store", "purchase", ("email", email), _now.AddMinutes(-2))))[0]!["profileId"]!;
        await _api.IngestAsync(Touch($"{_run}-deny", "web", "preferences", ("email", email), _now.AddMinutes(-1),
            new JsonObject { ["purpose"] = "personalisation", ["status"] = "denied" }));

        foreach (var path in new[] { $"/v1/profiles/lookup?type=email&value={email}&fields=computed,audiences", $"/v1/profiles/{profileId}?fields=computed,audiences,traits" })
        {
            var (status, body) = await _api.GetAsync(path);

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Empty(body!["computed"]!.AsObject());
            Assert.Empty(body["audiences"]!.AsArray());
            Assert.Equal("denied", (string?)body["consent"]!["personalisation"]!["status"]);
        }
        // Staff screens read the whole profile, which keeps everything.
        Assert.Equal(1, (int)(await _api.LookupAsync("email", email))["computed"]!["orders"]!);

        await _api.IngestAsync(Touch($"{_run}-grant", "web", "preferences", ("email", email), _now,
            new JsonObject { ["purpose"] = "personalisation", ["status"] = "granted" }));
        var (_, allowed) = await _api.GetAsync($"/v1/profiles/lookup?type=email&value={email}&fields=computed,audiences");
        Assert.Equal(1, (int)allowed!["computed"]!["orders"]!);
        Assert.Contains("one_time_buyers", allowed["audiences"]!.AsArray().Select(a => (string?)a));
    }

    [Fact]
    public async Task The_history_keeps_the_earliest_and_latest_of_each_decision_with_its_touchpoint_newest_first()
    {
        var cookie = $"ck-h-{_run}";
        for (var i = 0; i < 5; i++)
        {
            await _api.IngestAsync(Touch($"{_run}-pv-{i}", "web", "page_view", ("cookie", cookie), _now.AddMinutes(i - 60),
                new JsonObject { ["purpose"] = "analytics", ["status"] = "granted", ["document"] = "banner-v2" }));
        }
        var stop = Touch($"{_run}-stop", "sms", "sms_reply", ("cookie", cookie), _now,
            new JsonObject { ["purpose"] = "marketing", ["channel"] = "sms", ["status"] = "denied" });
        var profileId = (string)(await _api.IngestAsync(stop))[0]!["profileId"]!;

        var history = (await _api.Client.GetConsentAsync(profileId)).Value;

        Assert.Equal(profileId, history.ProfileId);
        Assert.Equal([$"{_run}-stop", $"{_run}-pv-4", $"{_run}-pv-0"], history.Decisions.Select(d => d.TouchpointId));
        var withdrawal = history.Decisions[0];
        Assert.Equal(("marketing", "sms", "denied", "sms", null), (withdrawal.Purpose, withdrawal.Channel, withdrawal.Status, withdrawal.ChannelOfTouchpoint, withdrawal.Document));
        Assert.Equal(_now.UtcDateTime, withdrawal.At.UtcDateTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(("analytics", (string?)null, "banner-v2"), (history.Decisions[1].Purpose, history.Decisions[1].Channel, history.Decisions[1].Document));
        var (status, raw) = await _api.GetAsync($"/v1/profiles/{profileId}/consent");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(raw!["decisions"]![1]!.AsObject().ContainsKey("channel"));
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync("/v1/profiles/0000000000000000000000000000/consent")).Status);
    }

    [Fact]
    public async Task A_grant_past_its_expiry_counts_as_a_denial()
    {
        var email = $"expired.{_run}@example.com";
        await _api.IngestAsync(Touch($"{_run}-old", "email", "newsletter_subscribe", ("email", email), _now.AddDays(-400),
            new JsonObject { ["purpose"] = "marketing", ["status"] = "granted", ["expiresAt"] = _now.AddDays(-35).ToString("O") }));
        await _api.IngestAsync(Touch($"{_run}-new", "web", "newsletter_subscribe", ("cookie", $"ck-x-{_run}"), _now,
            new JsonObject { ["purpose"] = "marketing", ["channel"] = "push", ["status"] = "granted", ["expiresAt"] = _now.AddDays(365).ToString("O") }));

        Assert.Equal("denied", (string?)(await _api.LookupAsync("email", email))["consent"]!["marketing"]!["status"]);
        Assert.Equal("granted", (string?)(await _api.LookupAsync("cookie", $"ck-x-{_run}"))["consent"]!["marketing"]!["channels"]!["push"]);
    }

    [Fact]
    public async Task A_merge_brings_the_decisions_of_both_profiles_together()
    {
        var (email, loyalty) = ($"merge.{_run}@example.com", $"L-{_run}");
        await _api.IngestAsync(Touch($"{_run}-m1", "web", "signup", ("email", email), _now.AddMinutes(-2),
            new JsonObject { ["purpose"] = "marketing", ["status"] = "granted" }));
        await _api.IngestAsync(Touch($"{_run}-m2", "sms", "sms_reply", ("loyalty_id", loyalty), _now.AddMinutes(-1),
            new JsonObject { ["purpose"] = "marketing", ["channel"] = "sms", ["status"] = "denied" }));
        var link = Touch($"{_run}-m3", "store", "purchase", ("email", email), _now);
        link["identifiers"]!.AsArray().Add(new JsonObject { ["type"] = "loyalty_id", ["value"] = loyalty });
        await _api.IngestAsync(link);

        var marketing = (await _api.LookupAsync("loyalty_id", loyalty))["consent"]!["marketing"]!;
        Assert.Equal("granted", (string?)marketing["status"]);
        Assert.Equal("denied", (string?)marketing["channels"]!["sms"]);
    }

    private static JsonObject Touch(string id, string channel, string type, (string Type, string Value) identifier, DateTimeOffset at, params JsonObject[] consent)
    {
        var touchpoint = TouchpointJson.Make(id, channel, type, at, identifier);
        if (consent.Length > 0) touchpoint["consent"] = new JsonArray([.. consent]);
        return touchpoint;
    }
}
