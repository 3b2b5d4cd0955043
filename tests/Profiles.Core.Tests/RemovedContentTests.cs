using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Resolution;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using Profiles.Testing;

namespace Profiles.Core.Tests;

/// <summary>What retention keeps of touchpoints whose content it removed (their links, and their figures folded per
/// anchor) is enough for a resolution to give every part the same profile as the whole touchpoints would.</summary>
public class RemovedContentTests
{
    private static readonly IdentityRules Rules = new(
        new Dictionary<string, IdentifierRule> { ["crm_id"] = new(1, 1), ["email"] = new(3, 5), ["device_id"] = new(6, null), ["cookie"] = new(7, null) },
        BlockedValues.None);

    private static readonly DateTimeOffset Start = new(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly ComputedTraits Computed = new([
        PersonalisationSupport.Trait("purchases", ComputedTraitKind.Count, types: ["purchase"]),
        PersonalisationSupport.Trait("top_channel", ComputedTraitKind.Top, of: "channel"),
    ]);

    [Fact]
    public void A_split_after_retention_gives_each_part_the_profile_the_whole_touchpoints_give()
    {
        // A shared tablet joined Bob's e-mail to Ann's profile; Bob's CRM row, older than both, arrived last.
        var t1 = Touch("t1", 0, "app", "add_to_cart", [("device_id", "tablet"), ("email", "ann@example.com")], ("city", "\"Lyon\""));
        var t2 = Touch("t2", 5, "app", "purchase", [("device_id", "tablet"), ("email", "bob@example.com")], ("city", "\"Nice\""));
        var c1 = Touch("c1", 60, "crm", "signup", [("crm_id", "CRM-ANN"), ("email", "ann@example.com")], ("firstName", "\"Ann\""));
        var c2 = Touch("c2", -60, "store", "purchase", [("crm_id", "CRM-BOB"), ("email", "bob@example.com")], ("firstName", "\"Bob\""));
        var c2AsLanded = Refuse(c2, "email", "bob@example.com");
        HeldTouchpoint[] whole = [new(t1, "p1"), new(t2, "p1"), new(c1, "p1"), new(c2AsLanded, "p2")];
        ProfileBefore[] before = [new("p1", Key("crm_id", "CRM-ANN"), IsRoot: true), new("p2", Key("crm_id", "CRM-BOB"), IsRoot: true)];

        // Retention removed the content of everything but Ann's CRM row, from the two journeys that held them.
        var fromP1 = RemovedContent.Fold([], [t1, t2], Rules, Computed);
        var fromP2 = RemovedContent.Fold([], [c2AsLanded], Rules, Computed);
        HeldTouchpoint[] retained = [new(t1.LinksOnly(), "p1"), new(t2.LinksOnly(), "p1"), new(c1, "p1"), new(c2AsLanded.LinksOnly(), "p2")];

        var expected = ResolutionPlan.Make(whole, before, Rules, NewId, Computed);
        var actual = ResolutionPlan.Make(retained, before, Rules, NewId, Computed, [.. fromP1.Entries, .. fromP2.Entries]);

        Assert.Equal(2, actual.Profiles.Count);
        foreach (var planned in expected.Profiles)
        {
            var after = Assert.Single(actual.Profiles, p => p.ProfileId == planned.ProfileId);
            Assert.Equal(CanonicalContent.Of(planned.Content), CanonicalContent.Of(after.Content));
            Assert.Equal(Values(planned.Content), Values(after.Content));
            Assert.Equal(planned.Touchpoints.Select(t => t.Id), after.Touchpoints.Select(t => t.Id));
        }
        var bob = actual.Profiles.Single(p => p.ProfileId == "p2");
        Assert.Equal(2, bob.Content.Touchpoints);
        // Each part keeps the removed content of its own anchors, and nothing of the other's.
        Assert.Equal(new[] { Key("crm_id", "CRM-BOB"), Key("email", "bob@example.com") }.Order(StringComparer.Ordinal), bob.Removed.Select(r => r.AnchorKey).Order(StringComparer.Ordinal));
        Assert.All(bob.Touchpoints.Where(t => t.Id != "c1"), t => Assert.True(t.ContentRemoved));
    }

    [Fact]
    public void Folding_again_keeps_one_entry_per_anchor_named_by_its_smallest_touchpoint_and_says_which_it_replaces()
    {
        var a = Touch("b-2", 0, "web", "page_view", [("cookie", "ck")]);
        var b = Touch("a-1", 10, "web", "purchase", [("cookie", "ck")], ("city", "\"Lyon\""));
        var unlink = new Touchpoint("u1", Start, "crm", OperatorEntry.Unlink, [TestIdentifiers.Read("cookie", "ck"), TestIdentifiers.Read("email", "x@example.com")], [], null);

        var first = RemovedContent.Fold([], [a, unlink], Rules, Computed);
        var second = RemovedContent.Fold(first.Entries, [b], Rules, Computed);

        var entry = Assert.Single(second.Entries);
        Assert.Equal((Key("cookie", "ck"), "a-1"), (entry.AnchorKey, entry.FirstTouchpointId));
        Assert.Equal([$"{Key("cookie", "ck")}:b-2"], second.Replaced);
        Assert.Equal(2, entry.Content.Touchpoints);
        Assert.Empty(entry.Content.Identifiers);
        Assert.Equal("\"Lyon\"", entry.Content.Traits["city"].ValueJson);
        Assert.Equal(entry, RemovedContent.Named(entry.Name, entry.Content));
    }

    [Fact]
    public void A_touchpoint_kept_for_its_links_adds_its_identifiers_and_links_and_no_figure()
    {
        var t = Touch("t", 0, "store", "purchase", [("email", "ann@example.com"), ("cookie", "ck")], ("city", "\"Lyon\""));
        var content = new ProfileContent();

        content.Add(t.LinksOnly(), Computed);

        Assert.Equal(0, content.Touchpoints);
        Assert.Empty(content.Channels);
        Assert.Empty(content.Traits);
        Assert.Equal(2, content.Identifiers.Count);
        Assert.Equal("t", content.LastLinks["cookie"].TouchpointId);
        Assert.Equal(("", "", (string?)null), (t.LinksOnly().Channel, t.LinksOnly().Type, t.LinksOnly().PropertiesJson));
    }

    [Fact]
    public void A_consent_decision_outlives_its_touchpoint_s_content_in_the_removed_content_of_its_anchor()
    {
        var optOut = Touch("sms-1", 0, "sms", "reply", [("email", "ann@example.com")]) with
        {
            Consent = [new ConsentDecision("marketing", "sms", false, null, null)],
        };
        var removed = RemovedContent.Fold([], [optOut], Rules, Computed);
        var content = new ProfileContent();

        content.Add(optOut.LinksOnly(), Computed);
        foreach (var entry in removed.Entries) content.Merge(entry.Content);

        Assert.Empty(optOut.LinksOnly().Consent);
        var decision = Assert.Single(content.Consent!.History);
        Assert.Equal(("marketing", "sms", "sms-1"), (decision.Purpose, decision.Channel, decision.TouchpointId));
        Assert.False(content.Consent.Latest("marketing", "sms", Start.AddDays(1))!.Granted);
    }

    private static string Values(ProfileContent content) =>
        string.Join(";", PersonalisationSupport.Values(Computed, content, DateOnly.FromDateTime(Start.UtcDateTime)).Select(v => $"{v.Key}={v.Value}"));

    private static string NewId(string key) => $"new-{key[..6]}";

    private static Touchpoint Refuse(Touchpoint touchpoint, string type, string value)
    {
        var refused = TestIdentifiers.Read(type, value);
        return touchpoint with
        {
            Identifiers = [.. touchpoint.Identifiers.Where(i => i.Key != refused.Key)],
            RefusedLinks = [RefusedLink.OverLimit(refused, touchpoint)],
        };
    }

    private static Touchpoint Touch(string id, int minutes, string channel, string type, (string Type, string Value)[] identifiers, params (string Name, string Json)[] traits)
    {
        var refs = identifiers.Select(i => TestIdentifiers.Read(i.Type, i.Value)).ToList();
        refs.Sort(Rules.Compare);
        return new Touchpoint(id, Start.AddMinutes(minutes), channel, type, refs, [.. traits.Select(t => new TraitWrite(t.Name, t.Json))], "{\"amount\":12}");
    }

    private static string Key(string type, string value) => TestIdentifiers.KeyOf(type, value);
}
