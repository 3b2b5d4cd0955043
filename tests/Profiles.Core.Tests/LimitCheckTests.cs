using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

using Profiles.Testing;

namespace Profiles.Core.Tests;

/// <summary>Identity-rule limits (docs/API.md, "Identity rules in short") as a profile grain checks them: the check
/// that admission, merges and the ingestor's look-ahead share. Canonical resolution counts limits on its own
/// (ComponentSets.WhyApart).</summary>
public class LimitCheckTests
{
    private static readonly IdentityRules Rules = new(
        new Dictionary<string, IdentifierRule>
        {
            ["crm_id"] = new(1, 1),
            ["email"] = new(3, 5),
            ["cookie"] = new(7, null),
        },
        BlockedValues.None);

    private static readonly DateTimeOffset At = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_limit_admits_values_up_to_it_and_unconfigured_types_are_unlimited()
    {
        var check = new LimitCheck(Rules);
        Assert.True(check.TryTake(Id("crm_id", "C-1")));
        Assert.False(check.TryTake(Id("crm_id", "C-2")));
        Assert.True(check.TryTake(Id("crm_id", "C-1")));
        for (var i = 0; i < 5; i++) Assert.True(check.TryTake(Id("email", $"p{i}@example.com")));
        Assert.False(check.TryTake(Id("email", "p5@example.com")));
        for (var i = 0; i < 10_000; i++) Assert.True(check.TryTake(Id("cookie", $"c-{i}")));
        for (var i = 0; i < 100; i++) Assert.True(check.TryTake(Id("device_id", $"d-{i}")));
        Assert.True(check.Fits);
    }

    [Fact]
    public void A_profile_counts_what_it_holds_and_a_held_value_is_always_taken()
    {
        var held = Profile(Touchpoint("t1", Id("crm_id", "C-1"), Id("email", "a@example.com")));

        var check = new LimitCheck(Rules, held);

        Assert.True(check.TryTake(Id("crm_id", "C-1")));
        Assert.False(check.TryTake(Id("crm_id", "C-2")));
    }

    [Fact]
    public void Two_profiles_that_together_break_a_limit_do_not_fit()
    {
        var one = Profile(Touchpoint("t1", Id("crm_id", "C-1")));
        var other = Profile(Touchpoint("t2", Id("crm_id", "C-2")));

        Assert.False(new LimitCheck(Rules, one).Including(other).Fits);
        Assert.False(new LimitCheck(Rules).Including(LimitCheck.LimitedKeysOf(one, Rules)).Including(LimitCheck.LimitedKeysOf(other, Rules)).Fits);
        Assert.True(new LimitCheck(Rules, one).Including(one).Fits);
    }

    [Fact]
    public void Limited_keys_leave_unlimited_types_out()
    {
        var profile = Profile(Touchpoint("t1", Id("crm_id", "C-1"), Id("cookie", "c-1"), Id("email", "a@example.com")));

        var keys = LimitCheck.LimitedKeysOf(profile, Rules).KeysByType;

        Assert.Equal(["crm_id", "email"], keys.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Admission_refuses_what_a_limit_refuses_and_reroutes_a_touchpoint_whose_anchor_is_refused()
    {
        var admission = new ProfileAdmission(Profile(Touchpoint("t1", Id("crm_id", "C-1"), Id("email", "a@example.com"))), Rules);

        Assert.True(admission.TryAdmit(Touchpoint("t2", Id("email", "a@example.com"), Id("crm_id", "C-2")), out var partly));
        Assert.Equal(["email"], partly.Identifiers.Select(i => i.Type));
        var refused = Assert.Single(partly.RefusedLinks);
        Assert.Equal((RefusalReasons.Limit, "crm_id", "t2"), (refused.Reason, refused.Type, refused.TouchpointId));

        Assert.False(admission.TryAdmit(Touchpoint("t3", Id("crm_id", "C-3")), out _));
        Assert.True(admission.TryAdmit(Touchpoint("t4", Id("crm_id", "C-1"), Id("cookie", "c-9")), out var whole));
        Assert.Empty(whole.RefusedLinks);
    }

    [Fact]
    public void Admission_counts_what_earlier_touchpoints_of_the_same_batch_took()
    {
        var admission = new ProfileAdmission(new ProfileContent(), Rules);

        Assert.True(admission.TryAdmit(Touchpoint("t1", Id("crm_id", "C-1")), out _));
        Assert.False(admission.TryAdmit(Touchpoint("t2", Id("crm_id", "C-2")), out _));
    }

    private static IdentifierRef Id(string type, string value) => TestIdentifiers.Read(type, value);

    private static Touchpoint Touchpoint(string id, params IdentifierRef[] identifiers) => new(id, At, "web", "login", identifiers, [], null);

    private static ProfileContent Profile(params Touchpoint[] touchpoints)
    {
        var content = new ProfileContent();
        foreach (var touchpoint in touchpoints) content.Add(touchpoint);
        return content;
    }
}
