using Profiles.Core.Consent;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Testing;

namespace Profiles.Core.Tests;

/// <summary>Consent (docs/CONSENT.md) as a fold: the effective status of (purpose, channel) is the latest decision, and the
/// same set of decisions gives the same ledger and the same statuses whatever the order and the merges.</summary>
public class ConsentTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly ConsentPurposes Purposes = ConsentPurposes.Shipped;

    /// <summary>Moments before any decision, between decisions and expiries, and after every expiry.</summary>
    private static readonly DateTimeOffset[] Moments = [Start.AddHours(-1), Start.AddMinutes(20), Start.AddMinutes(45), Start.AddMinutes(90), Start.AddHours(5)];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Any_order_split_and_merge_tree_gives_the_same_ledger_and_statuses(int seed)
    {
        var random = new Random(seed);
        var touchpoints = RandomTouchpoints(random, 400);
        var folded = FoldInOrder(touchpoints);
        var expected = CanonicalContent.Of(folded);
        var expectedStatuses = Statuses(folded);

        for (var trial = 0; trial < 20; trial++)
        {
            var shuffled = touchpoints.OrderBy(_ => random.Next()).ToList();
            var parts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => new ProfileContent()).ToList();
            foreach (var touchpoint in shuffled) parts[random.Next(parts.Count)].Add(touchpoint);
            var merged = MergeTree.Random(random, parts);
            Assert.Equal(expected, CanonicalContent.Of(merged));
            Assert.Equal(expectedStatuses, Statuses(merged));
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Statuses_match_a_plain_reading_of_the_rules_over_every_decision(int seed)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < 30; trial++)
        {
            var touchpoints = RandomTouchpoints(random, random.Next(1, 60));
            var content = FoldInOrder(touchpoints.OrderBy(_ => random.Next()));
            foreach (var now in Moments)
            {
                foreach (var status in Purposes.Evaluate(content.Consent, now))
                {
                    Assert.Equal(PlainStatus(touchpoints, status.Purpose, null, now), status.Granted);
                    string[] channels = [.. Decisions(touchpoints).Where(d => d.Decision.Purpose == status.Purpose && d.Decision.Channel is not null)
                        .Select(d => d.Decision.Channel!).Distinct().Order(StringComparer.Ordinal)];
                    Assert.Equal(channels, status.Channels.Select(c => c.Key));
                    foreach (var (channel, granted) in status.Channels) Assert.Equal(PlainStatus(touchpoints, status.Purpose, channel, now), granted);
                }
            }
        }
    }

    [Fact]
    public void Without_a_decision_each_purpose_has_its_default()
    {
        var statuses = Purposes.Evaluate(FoldInOrder([Touch("t-1", Start)]).Consent, Start);

        Assert.Equal([("analytics", true, false), ("marketing", false, false), ("personalisation", true, false)],
            statuses.Select(s => (s.Purpose, s.Granted, s.Decided)));
        Assert.All(statuses, s => Assert.Empty(s.Channels));
    }

    [Fact]
    public void The_latest_decision_wins_whatever_the_arrival_order()
    {
        var grant = Touch("t-1", Start, Decision("marketing", "sms", true));
        var stop = Touch("t-2", Start.AddDays(1), Decision("marketing", "sms", false));

        foreach (var order in new[] { new[] { grant, stop }, [stop, grant] })
        {
            var marketing = Marketing(FoldInOrder(order), Start.AddDays(2));
            Assert.False(marketing.GrantedOn("sms"));
            Assert.False(marketing.Granted);
            Assert.False(marketing.Decided);
        }
    }

    [Fact]
    public void At_equal_times_the_channel_wins_then_a_denial()
    {
        var now = Start.AddDays(1);
        // The channel's own grant beats a purpose-wide denial of the same moment.
        Assert.True(Marketing(FoldInOrder([Touch("t-2", Start, Decision("marketing", null, false)), Touch("t-1", Start, Decision("marketing", "email", true))]), now).GrantedOn("email"));
        // Two decisions for the channel: the denial wins.
        Assert.False(Marketing(FoldInOrder([Touch("t-2", Start, Decision("marketing", "email", true)), Touch("t-1", Start, Decision("marketing", "email", false))]), now).GrantedOn("email"));
        // Purpose-wide too, whichever touchpoint id is greater.
        Assert.False(Marketing(FoldInOrder([Touch("t-1", Start, Decision("marketing", null, false)), Touch("t-2", Start, Decision("marketing", null, true))]), now).Granted);
        // A grant that expires at the very moment of another grant counts as a denial of that moment, which wins the tie.
        Assert.False(Marketing(FoldInOrder([Touch("t-1", Start, Decision("marketing", null, true, expiresAt: Start.AddHours(1))),
            Touch("t-2", Start.AddHours(1), Decision("marketing", null, true))]), now).Granted);
    }

    [Fact]
    public void A_purpose_wide_withdrawal_after_an_email_grant_denies_email_too()
    {
        var content = FoldInOrder([
            Touch("t-1", Start, Decision("marketing", "email", true)),
            Touch("t-2", Start.AddHours(1), Decision("marketing", null, false)),
        ]);

        var marketing = Marketing(content, Start.AddHours(2));
        Assert.Equal([KeyValuePair.Create("email", false)], marketing.Channels);
        Assert.False(marketing.GrantedOn("sms"));
    }

    [Fact]
    public void An_expired_grant_counts_as_a_denial_dated_at_its_expiry()
    {
        var content = FoldInOrder([
            Touch("t-1", Start, Decision("marketing", null, true, expiresAt: Start.AddHours(2))),
            Touch("t-2", Start.AddHours(1), Decision("marketing", "email", true)),
            Touch("t-3", Start.AddHours(3), Decision("marketing", "sms", true)),
        ]);

        var beforeExpiry = Marketing(content, Start.AddHours(1.5));
        Assert.True(beforeExpiry.Granted);
        Assert.True(beforeExpiry.GrantedOn("push"));
        var afterExpiry = Marketing(content, Start.AddHours(4));
        Assert.False(afterExpiry.Granted);
        // The e-mail grant is older than the expiry, the SMS grant newer.
        Assert.False(afterExpiry.GrantedOn("email"));
        Assert.True(afterExpiry.GrantedOn("sms"));
        Assert.Equal(Start.AddHours(2), content.Consent!.NextExpiryAfter(Start, Purposes.Names));
        Assert.Null(content.Consent.NextExpiryAfter(Start.AddHours(2), Purposes.Names));
    }

    [Fact]
    public void The_history_keeps_the_earliest_and_latest_of_each_purpose_channel_status_and_document()
    {
        // An analytics library repeating the same preferences on every page view.
        var repeated = Enumerable.Range(0, 500).Select(i => Touch($"pv-{i:D3}", Start.AddMinutes(i), Decision("analytics", null, true, "cookie-banner-v2"))).ToList();
        var sms = Touch("sms-stop", Start.AddDays(1), Decision("marketing", "sms", false)) with { Channel = "sms" };
        var content = FoldInOrder([.. repeated, sms]);

        var history = content.Consent!.History.ToList();
        Assert.Equal(["sms-stop", "pv-499", "pv-000"], history.Select(r => r.TouchpointId));
        Assert.Equal("sms", history[0].ChannelOfTouchpoint);
        Assert.Equal("cookie-banner-v2", history[1].Document);
        Assert.Single(content.Consent.Deciding, r => r.Purpose == "analytics");
    }

    [Fact]
    public void A_decision_for_a_purpose_no_longer_configured_is_kept_but_not_evaluated()
    {
        var content = FoldInOrder([Touch("t-1", Start, Decision("profiling", null, false))]);

        Assert.Single(content.Consent!.History);
        Assert.DoesNotContain(Purposes.Evaluate(content.Consent, Start), s => s.Purpose == "profiling");
    }

    private static PurposeConsent Marketing(ProfileContent content, DateTimeOffset now) => Purposes.Evaluate(content.Consent, now).Single(s => s.Purpose == "marketing");

    private static string Statuses(ProfileContent content) => string.Join("\n", Moments.SelectMany(now => Purposes.Evaluate(content.Consent, now)
        .Select(s => $"{now:O} {s.Purpose} {s.Granted} {s.Decided} {string.Join(',', s.Channels.Select(c => $"{c.Key}={c.Value}"))}")));

    /// <summary>The rule read plainly over every decision the touchpoints carry: the latest by date (an expired grant a
    /// denial dated at its expiry), then the channel's own decision, then a denial, then the greater touchpoint id.</summary>
    private static bool PlainStatus(IEnumerable<Touchpoint> touchpoints, string purpose, string? channel, DateTimeOffset now)
    {
        var latest = Decisions(touchpoints)
            .Where(d => d.Decision.Purpose == purpose && (d.Decision.Channel is null || d.Decision.Channel == channel))
            .Select(d =>
            {
                var expired = d.Decision is { Granted: true, ExpiresAt: { } e } && e <= now;
                return (At: expired ? d.Decision.ExpiresAt!.Value : d.Touchpoint.OccurredAt, Own: d.Decision.Channel is not null, Granted: d.Decision.Granted && !expired, d.Touchpoint.Id);
            })
            .OrderByDescending(d => d.At).ThenByDescending(d => d.Own).ThenBy(d => d.Granted).ThenByDescending(d => d.Id, StringComparer.Ordinal)
            .FirstOrDefault();
        return latest.Id is null ? Purposes.GrantedByDefault(purpose) : latest.Granted;
    }

    private static IEnumerable<(Touchpoint Touchpoint, ConsentDecision Decision)> Decisions(IEnumerable<Touchpoint> touchpoints) =>
        touchpoints.SelectMany(t => t.Consent.Select(d => (t, d)));

    private static ProfileContent FoldInOrder(IEnumerable<Touchpoint> touchpoints)
    {
        var content = new ProfileContent();
        foreach (var touchpoint in touchpoints) content.Add(touchpoint);
        return content;
    }

    private static ConsentDecision Decision(string purpose, string? channel, bool granted, string? document = null, DateTimeOffset? expiresAt = null) =>
        new(purpose, channel, granted, document, expiresAt);

    private static Touchpoint Touch(string id, DateTimeOffset at, params ConsentDecision[] consent) =>
        TestTouchpoints.Make(id, at, "web", "page_view", [("cookie", "c-1")]) with { Consent = consent };

    /// <summary>Decisions crowded into an hour, so that times, expiries and ids tie often; offsets differ for one instant;
    /// a few are for a purpose that is not configured.</summary>
    private static List<Touchpoint> RandomTouchpoints(Random random, int count)
    {
        string[] purposes = ["marketing", "marketing", "analytics", "personalisation", "profiling"];
        string?[] channels = [null, null, "email", "sms", "push"];
        string?[] documents = [null, "privacy-2026-10", "privacy-2026-11"];
        return [.. Enumerable.Range(0, count).Select(n => TestTouchpoints.Make(
            $"tp-{random.Next(count * 2):D4}-{n}",
            Start.AddMinutes(random.Next(60)).ToOffset(TimeSpan.FromHours(random.Next(-3, 4))),
            random.Next(2) == 0 ? "web" : "sms",
            "consent",
            [("cookie", "c-1")]) with
            {
                Consent = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => new ConsentDecision(
                    purposes[random.Next(purposes.Length)],
                    channels[random.Next(channels.Length)],
                    random.Next(3) > 0,
                    documents[random.Next(documents.Length)],
                    random.Next(3) == 0 ? Start.AddMinutes(random.Next(10, 120)) : null))],
            })];
    }
}
