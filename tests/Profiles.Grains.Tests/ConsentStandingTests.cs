using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Grains.Changes;
using Profiles.Grains.Standing;
using Profiles.Grains.Writes;
using Profiles.Testing;

namespace Profiles.Grains.Tests;

/// <summary>What a profile's consent contributes to the feed and the statistics, as a standing's step works it out:
/// a <c>consent</c> change for each status that differs from what the profile announced (defaults count as announced),
/// and the counts by which every surviving profile is counted once per purpose.</summary>
public class ConsentStandingTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_profile_announces_only_what_its_decisions_change()
    {
        var changes = Changes(null, Standing(("marketing", true), ("analytics", true), ("personalisation/email", true)));

        Assert.Equal(["marketing  granted"], changes);
    }

    [Fact]
    public void A_purpose_wide_withdrawal_after_an_email_grant_announces_email_denied_too()
    {
        var changes = Changes(
            Standing(("marketing", true), ("marketing/email", true)),
            Standing(("marketing", false), ("marketing/email", false)));

        Assert.Equal(["marketing  denied", "marketing email denied"], changes);
    }

    [Fact]
    public void An_sms_stop_announces_the_sms_channel_alone()
    {
        var changes = Changes(Standing(("marketing", true)), Standing(("marketing", true), ("marketing/sms", false)));

        Assert.Equal(["marketing sms denied"], changes);
    }

    [Fact]
    public void A_profile_that_stops_standing_announces_nothing()
    {
        Assert.Empty(Changes(Standing(("marketing", true), ("marketing/sms", true)), null));
    }

    [Fact]
    public void A_part_that_keeps_no_decision_after_a_split_announces_the_defaults_it_falls_back_to()
    {
        var changes = Changes(Standing(("marketing", true), ("marketing/sms", true), ("analytics", false)), Standing());

        Assert.Equal(["analytics  granted", "marketing  denied", "marketing sms denied"], changes);
    }

    [Fact]
    public void A_changed_default_is_announced_by_no_one()
    {
        var withMarketingGranted = new ConsentPurposes(new Dictionary<string, bool> { ["marketing"] = true });

        Assert.Empty(StandingStep.Between("p", Standing(("analytics", true)), Standing(("analytics", true)), At, withMarketingGranted).Changes);
        Assert.Empty(StandingStep.Between("p", null, Standing(), At, withMarketingGranted).Changes);
    }

    [Fact]
    public void A_stored_standing_keeps_its_consent_and_one_stored_before_consent_reads_without_any()
    {
        var standing = Standing(("marketing", false), ("marketing/sms", true));

        Assert.True(standing.SameAs(ProfileStanding.Decode(standing.Encode())));
        Assert.Empty(ProfileStanding.Decode("100|web=2|vip").Consent);
    }

    [Theory]
    [InlineData(true, 10, 3, 1, 8)]
    [InlineData(false, 10, 3, 1, 1)]
    public void Profiles_without_a_decision_count_by_the_default_of_the_purpose(bool grantedByDefault, long profiles, long decided, long granted, long expected)
    {
        Assert.Equal(expected, new ConsentTotals(decided, granted).GrantedOf(profiles, grantedByDefault));
    }

    [Fact]
    public void A_step_moves_the_consent_counters_of_the_purposes_decided()
    {
        var step = StandingStep.Between("p", Standing(("marketing", true)), Standing(("marketing", false), ("analytics", true), ("analytics/sms", false)), At,
            ConsentPurposes.Shipped);

        Assert.Equal(
            [KeyValuePair.Create("consent:analytics:d", 1L), KeyValuePair.Create("consent:analytics:g", 1L), KeyValuePair.Create("consent:marketing:g", -1L)],
            step.CounterDeltas.Where(d => d.Key.StartsWith("consent:", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_standing_of_a_profile_holds_the_statuses_its_decisions_give()
    {
        var content = new ProfileContent();
        content.Add(TestTouchpoints.Make("t-1", At, "sms", "sms_reply", [("phone", "+33612345678")]) with
        {
            Consent = [new ConsentDecision("marketing", "sms", false, null, null), new ConsentDecision("analytics", null, false, null, null)],
        });
        var values = new Personalisation(ComputedTraits.None, Audiences.None, ConsentPurposes.Shipped).Evaluate(content, At);

        var standing = ProfileStanding.Of(content, values, null);

        Assert.Equal(new Dictionary<string, bool> { ["analytics"] = false, ["marketing/sms"] = false }, standing.Consent);
    }

    private static string[] Changes(ProfileStanding? from, ProfileStanding? to) =>
        [.. StandingStep.Between("p", from, to, At, ConsentPurposes.Shipped).Changes
            .Where(c => c.Type == ChangeTypes.Consent)
            .Select(c => string.Join(' ', c.Details.Select(d => d.Value)))];

    private static ProfileStanding Standing(params (string Key, bool Granted)[] consent) =>
        ProfileStanding.Empty with { Consent = consent.ToDictionary(c => c.Key, c => c.Granted, StringComparer.Ordinal) };
}
