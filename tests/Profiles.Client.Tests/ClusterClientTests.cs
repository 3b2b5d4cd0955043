using Profiles.Contracts;
using Profiles.Contracts.Live;
using Profiles.Testing;
using static Profiles.Client.Tests.TouchpointsFor;

namespace Profiles.Client.Tests;

/// <summary>The client against a two-silo cluster: what a storefront does with it.</summary>
public sealed class ClusterClientTests(TwoSiloClusterFixture cluster) : IClassFixture<TwoSiloClusterFixture>
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Ingested_touchpoints_are_found_by_any_spelling_of_an_identifier_and_by_profile_id()
    {
        var email = $"Paul.{_run}@Example.com";
        var results = await cluster.Profiles.IngestAsync([
            Visit($"{_run}-1", 0, ("cookie", $"ck-{_run}")),
            new TouchpointInput($"{_run}-2", null, "web", "login", [new IdentifierInput("cookie", $"ck-{_run}"), new IdentifierInput("email", $"  {email} ")],
                Traits: new Dictionary<string, object?> { ["firstName"] = "Paul", ["vip"] = true }),
        ]);

        Assert.Equal([TouchpointResult.Accepted, TouchpointResult.Accepted], results.Select(r => r.Status));
        var profile = await cluster.Profiles.LookupAsync("email", email.ToLowerInvariant());
        Assert.NotNull(profile);
        Assert.Equal(results[1].ProfileId, profile.ProfileId);
        Assert.Equal(2, profile.Touchpoints);
        Assert.Equal("Paul", profile.Traits["firstName"].GetString());
        Assert.True(profile.Traits["vip"].GetBoolean());
        Assert.Equal(["cookie", "email"], profile.Identifiers.Select(i => i.Type));
        Assert.Equal(0, profile.Computed["orders"].GetInt32());
        Assert.Empty(profile.Audiences);
        Assert.Equal(["analytics", "marketing", "personalisation"], profile.Consent.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(profile, await cluster.Profiles.GetAsync(profile.ProfileId), ProfileComparer.Instance);
        Assert.Null(await cluster.Profiles.LookupAsync("email", $"nobody.{_run}@example.com"));
        Assert.Equal(TouchpointResult.Duplicate, (await cluster.Profiles.IngestAsync([Visit($"{_run}-1", 0, ("cookie", $"ck-{_run}"))]))[0].Status);
    }

    [Fact]
    public async Task A_watch_shows_the_identifier_become_known_then_follows_its_profile_into_the_one_it_merges_into()
    {
        var cookie = $"ck-{_run}";
        var email = $"watch.{_run}@example.com";
        var cookieProfile = (await cluster.Profiles.IngestAsync([Visit($"{_run}-c1", 0, ("cookie", cookie))]))[0].ProfileId!;
        await using var watch = WatchReader.Start(cluster.Profiles, "email", email);
        Assert.Null(await watch.NextAsync());

        await cluster.Profiles.IngestAsync([Visit($"{_run}-e1", 1, ("email", email))]);
        var own = await watch.UntilAsync(p => p.Touchpoints == 1);
        Assert.NotEqual(cookieProfile, own.ProfileId);

        // The login links the e-mail's (younger) profile into the cookie's: the watch follows it there...
        await cluster.Profiles.IngestAsync([Visit($"{_run}-login", 2, ("cookie", cookie), ("email", email))]);
        var merged = await watch.UntilAsync(p => p.Touchpoints == 3);
        Assert.Equal(cookieProfile, merged.ProfileId);
        Assert.Contains(own.ProfileId, merged.MergedProfileIds);

        // ...and keeps following the survivor, though this touchpoint names only the cookie.
        await cluster.Profiles.IngestAsync([Visit($"{_run}-c2", 3, ("cookie", cookie))]);
        Assert.Equal(4, (await watch.UntilAsync(p => p.Touchpoints == 4)).Touchpoints);
    }

    [Fact]
    public async Task A_watch_ended_by_cancellation_or_by_leaving_the_loop_leaves_no_subscription_behind()
    {
        var email = $"gone.{_run}@example.com";
        var profileId = (await cluster.Profiles.IngestAsync([Visit($"{_run}-1", 0, ("email", email))]))[0].ProfileId!;
        LiveTarget[] targets = [LiveTarget.Identifier(TestIdentifiers.KeyOf("email", email)), LiveTarget.Profile(profileId)];

        await using (var watch = WatchReader.Start(cluster.Profiles, "email", email))
        {
            Assert.NotNull(await watch.NextAsync());
            foreach (var target in targets) Assert.Equal(1, await cluster.SubscriptionsAsync(target));
        }
        foreach (var target in targets) Assert.Equal(0, await cluster.SubscriptionsAsync(target));

        await foreach (var profile in cluster.Profiles.WatchAsync("email", email))
        {
            Assert.Equal(profileId, profile?.ProfileId);
            foreach (var target in targets) Assert.Equal(1, await cluster.SubscriptionsAsync(target));
            break;
        }
        foreach (var target in targets) Assert.Equal(0, await cluster.SubscriptionsAsync(target));
    }

    [Fact]
    public async Task Lookups_and_watches_leave_computed_traits_and_audiences_out_while_personalisation_is_not_granted()
    {
        var email = $"private.{_run}@example.com";
        await cluster.Profiles.IngestAsync([new TouchpointInput($"{_run}-buy", null, "store", "purchase", [new IdentifierInput("email", email)])]);
        await using var watch = WatchReader.Start(cluster.Profiles, "email", email);
        Assert.Equal(["buyers"], (await watch.UntilAsync(p => p.Touchpoints == 1)).Audiences);

        var results = await cluster.Profiles.IngestAsync([new TouchpointInput($"{_run}-deny", null, "web", "preferences", [new IdentifierInput("email", email)],
            Consent: [new ConsentInput("personalisation", "denied"), new ConsentInput("marketing", "granted", "sms", "sms-optin-v3"), new ConsentInput("tracking", "granted")])]);

        Assert.Equal(new IgnoredIdentifier("consent[2].purpose", "invalid", "is not a configured purpose: one of analytics, marketing, personalisation"), Assert.Single(results[0].Ignored!));
        var watched = await watch.UntilAsync(p => p.Touchpoints == 2);
        var looked = await cluster.Profiles.LookupAsync("email", email);
        foreach (var profile in new[] { watched, looked! })
        {
            Assert.Empty(profile.Computed);
            Assert.Empty(profile.Audiences);
            Assert.Equal("denied", profile.Consent["personalisation"].Status);
            Assert.Equal("granted", profile.Consent["marketing"].Channels["sms"]);
        }
        // Reading by id is not a storefront read: it shows everything, as a staff screen needs.
        var whole = await cluster.Profiles.GetAsync(looked!.ProfileId);
        Assert.Equal(1, whole!.Computed["orders"].GetInt32());
        Assert.Equal(["buyers"], whole.Audiences);

        // The customer allows personalisation again in the app's settings: the watch and the lookup personalise again.
        await cluster.Profiles.IngestAsync([new TouchpointInput($"{_run}-allow", null, "app", "preferences", [new IdentifierInput("email", email)],
            Consent: [new ConsentInput("personalisation", "granted", Document: "app-settings-2")])]);
        var allowed = await watch.UntilAsync(p => p.Touchpoints == 3);
        Assert.Equal(["buyers"], allowed.Audiences);
        Assert.Equal(1, allowed.Computed["orders"].GetInt32());
        Assert.Equal("granted", allowed.Consent["personalisation"].Status);
        Assert.Equal(["buyers"], (await cluster.Profiles.LookupAsync("email", email))!.Audiences);
    }

    [Fact]
    public async Task The_client_rejects_and_ignores_what_the_HTTP_API_rejects_and_ignores()
    {
        var results = await cluster.Profiles.IngestAsync([
            new TouchpointInput($"{_run}-bad-channel", null, "Web Site", "page_view", [new IdentifierInput("cookie", $"ck-{_run}")]),
            new TouchpointInput($"{_run}-both", null, "web", "page_view", [new IdentifierInput("cookie", $"ck-{_run}", new string('a', 64))]),
            new TouchpointInput($"{_run}-pos", null, "store", "purchase",
                [new IdentifierInput("loyalty_id", $"FR-{_run}"), new IdentifierInput("phone", "06 12 34 56 7")]),
        ]);

        Assert.Equal(("rejected", "channel: must match [a-z0-9_]{1,32}"), (results[0].Status, results[0].Error));
        Assert.Equal(("rejected", "identifiers[0]: give either value or sha256, not both"), (results[1].Status, results[1].Error));
        Assert.Equal(TouchpointResult.Accepted, results[2].Status);
        Assert.Equal(new IgnoredIdentifier("identifiers[1].value", "invalid", "is not a valid phone number"), Assert.Single(results[2].Ignored!));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => cluster.Profiles.LookupAsync("phone", "12"));
        Assert.Equal("value: is not a valid phone number", error.Message);
    }
}
