using Profiles.Core.Profiles;
using Profiles.Core.Resolution;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Resolution;

namespace Profiles.Grains.Tests;

/// <summary>What a resolution tells a surviving profile about identifiers that answered for it before and belong to
/// another profile now (<see cref="MovedKeys"/>), so that a writer with an old pointer is sent back.</summary>
public class MovedKeysTests
{
    [Fact]
    public void An_identifier_of_a_profile_forwarded_to_a_survivor_that_went_elsewhere_is_moved_away_from_the_survivor()
    {
        // Before: x held k and m, p held n. After: x forwards to p, which keeps m and n; k went to q.
        var before = Priors(("x", ["k", "m"]), ("p", ["n"]));
        var p = Planned("p", "m", "n");
        var q = Planned("q", "k");

        var moved = MovedKeys.For(p, before, Forwards(("x", "p")), GroupOf(p, q));

        Assert.Equal(new Dictionary<string, string> { ["k"] = "q" }, moved);
    }

    [Fact]
    public void A_survivors_own_identifier_that_went_elsewhere_is_moved_away_and_one_it_keeps_is_not()
    {
        var before = Priors(("p", ["k", "n"]));
        var p = Planned("p", "n");
        var q = Planned("q", "k");

        Assert.Equal(new Dictionary<string, string> { ["k"] = "q" }, MovedKeys.For(p, before, Forwards(), GroupOf(p, q)));
        Assert.Empty(MovedKeys.For(q, before, Forwards(), GroupOf(p, q)));
    }

    [Fact]
    public void Identifiers_of_a_profile_forwarded_elsewhere_are_not_the_survivors_concern()
    {
        var before = Priors(("x", ["k"]), ("p", ["n"]));
        var p = Planned("p", "n");
        var q = Planned("q", "k");

        Assert.Empty(MovedKeys.For(p, before, Forwards(("x", "q")), GroupOf(p, q)));
    }

    [Fact]
    public void An_identifier_no_profile_holds_any_more_is_not_moved_anywhere()
    {
        var before = Priors(("p", ["k", "n"]));
        var p = Planned("p", "n");

        Assert.Empty(MovedKeys.For(p, before, Forwards(), GroupOf(p)));
    }

    private static Dictionary<string, PriorProfile> Priors(params (string Id, string[] Keys)[] priors) =>
        priors.ToDictionary(p => p.Id, p => new PriorProfile(p.Id, p.Keys[0], p.Id, p.Keys), StringComparer.Ordinal);

    private static PlannedProfile Planned(string id, params string[] keys) =>
        new(id, keys[0], [.. keys.Select(key => new IdentifierRef("email", key, key, FromHash: false))], [], new ProfileContent(), []);

    private static Dictionary<string, string> Forwards(params (string From, string To)[] forwards) =>
        forwards.ToDictionary(f => f.From, f => f.To, StringComparer.Ordinal);

    private static Dictionary<string, string> GroupOf(params PlannedProfile[] planned) =>
        planned.SelectMany(p => p.Identifiers.Select(i => (i.Key, p.ProfileId))).ToDictionary(e => e.Key, e => e.ProfileId, StringComparer.Ordinal);
}
