using Profiles.Core.Resolution;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

using Profiles.Testing;

namespace Profiles.Core.Tests;

/// <summary>Resolving a component again: which profile keeps which id, where touchpoints go, what every old id
/// answers with.</summary>
public class ResolutionPlanTests
{
    private static readonly IdentityRules Rules = new(
        new Dictionary<string, IdentifierRule> { ["crm_id"] = new(1, 1), ["email"] = new(3, 5), ["device_id"] = new(6, null), ["cookie"] = new(7, null) },
        BlockedValues.None);

    private static readonly DateTimeOffset Start = new(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_stronger_link_that_came_late_moves_a_customer_and_their_touchpoints_to_their_own_profile()
    {
        // As arrival left it: the tablet joined Bob's e-mail to Ann's profile; Bob's CRM row started a profile of its own.
        var t1 = Touch("t1", 0, ("device_id", "tablet"), ("email", "ann@example.com"));
        var t2 = Touch("t2", 5, ("device_id", "tablet"), ("email", "bob@example.com"));
        var c1 = Touch("c1", 60, ("crm_id", "CRM-ANN"), ("email", "ann@example.com"));
        var c2 = Touch("c2", 60, ("crm_id", "CRM-BOB"), ("email", "bob@example.com")) with { };
        var c2AsLanded = Refuse(c2, "email", "bob@example.com");

        var plan = ResolutionPlan.Make(
            [new(t1, "p1"), new(t2, "p1"), new(c1, "p1"), new(c2AsLanded, "p2")],
            [new("p1", Key("crm_id", "CRM-ANN"), IsRoot: true), new("p2", Key("crm_id", "CRM-BOB"), IsRoot: true)],
            Rules, key => $"new-{key[..6]}");

        var ann = Assert.Single(plan.Profiles, p => p.ProfileId == "p1");
        var bob = Assert.Single(plan.Profiles, p => p.ProfileId == "p2");
        Assert.Equal(["c1", "t1"], ann.Touchpoints.Select(t => t.Id).Order());
        Assert.Equal(["c2", "t2"], bob.Touchpoints.Select(t => t.Id).Order());
        Assert.Equal(new[] { Key("crm_id", "CRM-BOB"), Key("email", "bob@example.com") }.Order(), bob.Identifiers.Select(i => i.Key).Order());
        var heldT2 = bob.Touchpoints.Single(t => t.Id == "t2");
        Assert.Equal([Key("email", "bob@example.com")], heldT2.Identifiers.Select(i => i.Key));
        Assert.Equal((Key("device_id", "tablet"), RefusalReasons.Limit), (heldT2.RefusedLinks.Single().Key, heldT2.RefusedLinks.Single().Reason));
        Assert.Contains(ann.Content.RefusedLinks.Values, r => r.TouchpointId == "t2" && r.Key == Key("email", "bob@example.com"));
        Assert.Equal(2, bob.Content.Touchpoints);
        Assert.Equal([new PlannedSplit("p1", ["p2"])], plan.Splits.Select(s => s with { SplitProfileIds = [.. s.SplitProfileIds] }), new SplitComparer());
        Assert.Empty(plan.ForwardTo);
    }

    [Fact]
    public void An_unlinked_part_without_the_strongest_identifier_gets_a_new_id_and_old_ids_answer_with_their_part()
    {
        var w1 = Touch("w1", 0, ("cookie", "family-pc"), ("email", "ann@example.com"));
        var w2 = Touch("w2", 60, ("cookie", "family-pc"), ("email", "bob@example.com"));
        var unlink = Operator(OperatorEntry.Unlink, "u1", 120, ("email", "ann@example.com"), ("email", "bob@example.com"));
        var strongest = new[] { Key("email", "ann@example.com"), Key("email", "bob@example.com") }.Min(StringComparer.Ordinal)!;
        var other = strongest == Key("email", "ann@example.com") ? Key("email", "bob@example.com") : Key("email", "ann@example.com");

        var plan = ResolutionPlan.Make(
            [new(w1, "p1"), new(w2, "p1"), new(unlink, "p1")],
            [new("p1", strongest, IsRoot: true), new("p0-merged", other, IsRoot: false)],
            Rules, key => $"new-{key[..6]}");

        Assert.Equal(2, plan.Profiles.Count);
        var kept = Assert.Single(plan.Profiles, p => p.ProfileId == "p1");
        Assert.Contains(kept.Identifiers, i => i.Key == strongest);
        var carved = Assert.Single(plan.Profiles, p => p.ProfileId != "p1");
        Assert.Equal($"new-{other[..6]}", carved.ProfileId);
        Assert.Equal(carved.ProfileId, plan.ForwardTo["p0-merged"]);
        Assert.Equal(["p0-merged"], carved.MergedProfileIds);
        Assert.Equal([carved.ProfileId], Assert.Single(plan.Splits).SplitProfileIds);
        Assert.Equal(2, plan.Profiles.Sum(p => p.Content.Touchpoints));
    }

    [Fact]
    public void A_part_holding_the_strongest_identifiers_of_two_profiles_keeps_the_smaller_id()
    {
        var a = Touch("a", 0, ("email", "one@example.com"));
        var b = Touch("b", 1, ("cookie", "ck"));
        var link = Touch("link", 2, ("email", "one@example.com"), ("cookie", "ck"));

        var plan = ResolutionPlan.Make(
            [new(a, "p2"), new(b, "p1"), new(link, "p2")],
            [new("p2", Key("email", "one@example.com"), IsRoot: true), new("p1", Key("cookie", "ck"), IsRoot: true)],
            Rules, key => $"new-{key[..6]}");

        var profile = Assert.Single(plan.Profiles);
        Assert.Equal("p1", profile.ProfileId);
        Assert.Equal("p1", plan.ForwardTo["p2"]);
        Assert.Empty(plan.Splits);
    }

    [Fact]
    public void The_plan_depends_on_the_touchpoints_not_on_their_order()
    {
        var random = new Random(3);
        HeldTouchpoint[] touchpoints =
        [
            new(Touch("t1", 0, ("device_id", "tablet"), ("email", "ann@example.com")), "p1"),
            new(Touch("t2", 5, ("device_id", "tablet"), ("email", "bob@example.com")), "p1"),
            new(Touch("c1", 60, ("crm_id", "CRM-ANN"), ("email", "ann@example.com")), "p1"),
            new(Touch("c2", 60, ("crm_id", "CRM-BOB"), ("email", "bob@example.com")), "p2"),
        ];
        ProfileBefore[] before = [new("p1", Key("crm_id", "CRM-ANN"), true), new("p2", Key("crm_id", "CRM-BOB"), true)];
        var expected = Describe(ResolutionPlan.Make(touchpoints, before, Rules, key => key));

        for (var trial = 0; trial < 10; trial++)
        {
            Assert.Equal(expected, Describe(ResolutionPlan.Make([.. touchpoints.OrderBy(_ => random.Next())], before, Rules, key => key)));
        }
    }

    private static string Describe(ResolutionPlan plan) =>
        string.Join('\n', plan.Profiles.Select(p => $"{p.ProfileId}: {string.Join(',', p.Touchpoints.Select(t => t.Id))} / {CanonicalContentText(p)}"));

    private static string CanonicalContentText(PlannedProfile profile) => CanonicalContent.Of(profile.Content);

    private static Touchpoint Refuse(Touchpoint touchpoint, string type, string value)
    {
        var refused = TestIdentifiers.Read(type, value);
        return touchpoint with
        {
            Identifiers = [.. touchpoint.Identifiers.Where(i => i.Key != refused.Key)],
            RefusedLinks = [RefusedLink.OverLimit(refused, touchpoint)],
        };
    }

    private static Touchpoint Touch(string id, int minutes, params (string Type, string Value)[] identifiers)
    {
        var refs = identifiers.Select(i => TestIdentifiers.Read(i.Type, i.Value)).ToList();
        refs.Sort(Rules.Compare);
        return new Touchpoint(id, Start.AddMinutes(minutes), "web", "login", refs, [], null);
    }

    private static Touchpoint Operator(string type, string id, int minutes, (string Type, string Value) a, (string Type, string Value) b) =>
        new(id, Start.AddMinutes(minutes), "crm", type, [TestIdentifiers.Read(a.Type, a.Value), TestIdentifiers.Read(b.Type, b.Value)], [], null);

    private static string Key(string type, string value) => TestIdentifiers.KeyOf(type, value);

    private sealed class SplitComparer : IEqualityComparer<PlannedSplit>
    {
        public bool Equals(PlannedSplit? x, PlannedSplit? y) => x!.ProfileId == y!.ProfileId && x.SplitProfileIds.SequenceEqual(y.SplitProfileIds);

        public int GetHashCode(PlannedSplit obj) => obj.ProfileId.GetHashCode();
    }
}
