using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Identity;
using Profiles.Testing;

namespace Profiles.Grains.Tests;

/// <summary>The merge protocol's decisions (<see cref="MergeProtocol"/>), between profiles that answer as their grains
/// would, without a silo.</summary>
public class MergeProtocolTests
{
    private static readonly IdentityRules OneEmail = new(new Dictionary<string, IdentifierRule> { ["email"] = new(1, 1) }, BlockedValues.None);

    [Fact]
    public async Task The_survivor_takes_the_losers_content_once_and_the_loser_forwards_to_it()
    {
        var profiles = new MergeParties(IdentityRules.None);
        var survivor = profiles.Add("a", ProfileStates.Holding(("email", "ann@example.com")));
        var loser = profiles.Add("b", ProfileStates.Holding(("cookie", "ck-1"), ("phone", "+33612345678")));
        loser.State.Merged.Add("c");

        var reply = await loser.Protocol.MergeIntoAsync("a", []);

        Assert.Equal(ProfileReply.Done("a"), reply);
        Assert.Equal("a", loser.State.ForwardedTo);
        Assert.False(loser.State.HandoffPending);
        Assert.True(loser.State.Content.IsEmpty);
        Assert.Empty(loser.State.Merged);
        Assert.Equal(3, survivor.State.Content.Touchpoints);
        Assert.Equal(["b", "c"], survivor.State.Merged.Order());
        Assert.Equal(["b"], survivor.State.LosersToWithdraw);
        Assert.Equal(ProfileStates.Key("cookie", "ck-1"), survivor.State.MergedStrongest["b"]);
        Assert.Equal([true], loser.HandedOff);
        Assert.Equal(1, survivor.Absorbed);
    }

    [Fact]
    public async Task A_loser_records_where_it_goes_before_it_hands_over()
    {
        var profiles = new MergeParties(IdentityRules.None);
        profiles.Add("a", ProfileStates.Holding(("email", "ann@example.com")));
        var loser = profiles.Add("b", ProfileStates.Holding(("cookie", "ck-1")));

        await loser.Protocol.MergeIntoAsync("a", []);

        // What a crash during the survivor's turn would find stored: the pointer, marked pending.
        Assert.Equal(("a", true), loser.WrittenBeforeHandOff);
    }

    [Fact]
    public async Task A_merge_into_an_id_not_smaller_is_a_defect_and_changes_nothing()
    {
        var profiles = new MergeParties(IdentityRules.None);
        var loser = profiles.Add("b", ProfileStates.Holding(("cookie", "ck-1")));
        profiles.Add("c", ProfileStates.Holding(("email", "ann@example.com")));

        await Assert.ThrowsAsync<InvalidOperationException>(() => loser.Protocol.MergeIntoAsync("c", []));

        Assert.Null(loser.State.ForwardedTo);
        Assert.Equal(0, loser.Writes);
    }

    [Fact]
    public async Task A_hand_off_follows_the_survivor_to_the_root_that_takes_it_in()
    {
        var profiles = new MergeParties(IdentityRules.None);
        var root = profiles.Add("a", ProfileStates.Holding(("email", "ann@example.com")));
        profiles.Add("b", new ProfileState { ForwardedTo = "a" });
        var loser = profiles.Add("c", ProfileStates.Holding(("cookie", "ck-1")));

        var reply = await loser.Protocol.MergeIntoAsync("b", []);

        Assert.Equal(ProfileReply.Done("a"), reply);
        Assert.Equal("a", loser.State.ForwardedTo);
        Assert.Contains("c", root.State.Merged);
    }

    [Fact]
    public async Task A_survivor_a_resolution_pointed_at_a_larger_id_is_not_followed_and_the_loser_stays_itself()
    {
        var profiles = new MergeParties(IdentityRules.None);
        profiles.Add("b", new ProfileState { ForwardedTo = "z" });
        var larger = profiles.Add("z", ProfileStates.Holding(("email", "ann@example.com")));
        var loser = profiles.Add("c", ProfileStates.Holding(("cookie", "ck-1")));

        var reply = await loser.Protocol.MergeIntoAsync("b", []);

        Assert.Equal(ProfileReply.Retry("z", RetryCause.WouldCallLarger), reply);
        Assert.Null(loser.State.ForwardedTo);
        Assert.False(loser.State.HandoffPending);
        Assert.Equal(1, loser.State.Content.Touchpoints);
        Assert.Equal(["b"], profiles.AbsorbCalls);
        Assert.Equal(1, larger.State.Content.Touchpoints);
        Assert.Equal([false], loser.HandedOff);
    }

    [Fact]
    public async Task A_held_survivor_is_answered_at_once_and_the_loser_stays_itself()
    {
        var profiles = new MergeParties(IdentityRules.None);
        profiles.Add("a", ProfileStates.Holding(("email", "ann@example.com"))).State.ResolvingBy = "resolution-1";
        var loser = profiles.Add("b", ProfileStates.Holding(("cookie", "ck-1")));

        var reply = await loser.Protocol.MergeIntoAsync("a", []);

        Assert.Equal(ProfileReply.Retry("a", RetryCause.Held), reply);
        Assert.Null(loser.State.ForwardedTo);
        Assert.Equal(1, loser.State.Content.Touchpoints);
    }

    [Fact]
    public async Task An_erased_survivor_leaves_the_loser_a_profile_of_its_own()
    {
        var profiles = new MergeParties(IdentityRules.None);
        profiles.Add("a", new ProfileState()).Erased = true;
        var loser = profiles.Add("b", ProfileStates.Holding(("cookie", "ck-1")));

        var reply = await loser.Protocol.MergeIntoAsync("a", []);

        Assert.Equal(ProfileReply.Erased("a"), reply);
        Assert.Null(loser.State.ForwardedTo);
        Assert.Equal(1, loser.State.Content.Touchpoints);
    }

    [Fact]
    public async Task A_merge_that_would_break_a_limit_is_refused_and_both_stay_as_they_were()
    {
        var profiles = new MergeParties(OneEmail);
        var survivor = profiles.Add("a", ProfileStates.Holding(("email", "ann@example.com")));
        var loser = profiles.Add("b", ProfileStates.Holding(("email", "bob@example.com")));

        var reply = await loser.Protocol.MergeIntoAsync("a", []);

        Assert.Equal(ProfileReply.Refused("a"), reply);
        Assert.Null(loser.State.ForwardedTo);
        Assert.Equal(1, loser.State.Content.Touchpoints);
        Assert.Equal(1, survivor.State.Content.Touchpoints);
        Assert.Empty(survivor.State.Merged);
        Assert.Equal(0, survivor.Absorbed);
    }

    [Fact]
    public async Task The_identifiers_the_touchpoints_behind_a_merge_bring_count_against_the_limits()
    {
        var profiles = new MergeParties(OneEmail);
        profiles.Add("a", ProfileStates.Holding(("email", "ann@example.com")));
        var loser = profiles.Add("b", ProfileStates.Holding(("cookie", "ck-1")));

        var reply = await loser.Protocol.MergeIntoAsync("a", [TestIdentifiers.Read("email", "bob@example.com")]);

        Assert.Equal(ProfileReplyKind.Refused, reply.Kind);
        Assert.Null(loser.State.ForwardedTo);
    }

    [Fact]
    public async Task A_hand_off_cut_short_after_the_survivor_took_it_completes_without_doubling_anything()
    {
        var profiles = new MergeParties(IdentityRules.None);
        var survivor = profiles.Add("a", ProfileStates.Holding(("email", "ann@example.com")));
        var loser = profiles.Add("b", ProfileStates.Holding(("cookie", "ck-1"), ("cookie", "ck-2")));
        profiles.LoseAnswersFrom("a");

        await Assert.ThrowsAsync<TimeoutException>(() => loser.Protocol.MergeIntoAsync("a", []));
        // The loser's activation died there; the next one finds the hand-off pending and finishes it first.
        Assert.True(loser.State.HandoffPending);
        Assert.Equal(3, survivor.State.Content.Touchpoints);

        await loser.Protocol.FinishInterruptedHandOffAsync();

        Assert.Equal("a", loser.State.ForwardedTo);
        Assert.False(loser.State.HandoffPending);
        Assert.True(loser.State.Content.IsEmpty);
        Assert.Equal(3, survivor.State.Content.Touchpoints);
        Assert.Equal(1, survivor.State.ChangesOutsideLog);
    }

    [Fact]
    public async Task Finishing_a_hand_off_that_is_not_pending_calls_nobody()
    {
        var profiles = new MergeParties(IdentityRules.None);
        var profile = profiles.Add("b", ProfileStates.Holding(("cookie", "ck-1")));

        await profile.Protocol.FinishInterruptedHandOffAsync();

        Assert.Empty(profiles.AbsorbCalls);
        Assert.Equal(0, profile.Writes);
    }

    [Fact]
    public async Task Identifiers_moved_away_go_with_the_loser_only_where_the_survivor_does_not_hold_them()
    {
        var profiles = new MergeParties(IdentityRules.None);
        var survivor = profiles.Add("a", ProfileStates.Holding(("email", "ann@example.com")));
        var loser = profiles.Add("b", ProfileStates.Holding(("cookie", "ck-1")));
        var (ann, bob) = (ProfileStates.Key("email", "ann@example.com"), ProfileStates.Key("email", "bob@example.com"));
        loser.State.MovedAway[ann] = "x";
        loser.State.MovedAway[bob] = "y";

        await loser.Protocol.MergeIntoAsync("a", []);

        Assert.Equal(new Dictionary<string, string> { [bob] = "y" }, survivor.State.MovedAway);
    }

    [Fact]
    public async Task A_loser_absorbed_from_an_id_not_larger_is_a_defect()
    {
        var profiles = new MergeParties(IdentityRules.None);
        var survivor = profiles.Add("b", ProfileStates.Holding(("email", "ann@example.com")));

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            survivor.Protocol.AbsorbAsync(new AbsorbedProfile("a", ProfileStates.Holding(("cookie", "ck-1")).Content, [], [], [], [])));
    }

    /// <summary>Profiles in memory, each with its protocol, answering a survivor's absorb as its grain does: forwarded,
    /// erased or held before the protocol runs.</summary>
    private sealed class MergeParties(IdentityRules rules)
    {
        private readonly Dictionary<string, Party> _parties = [];
        private readonly HashSet<string> _answersLost = [];

        public List<string> AbsorbCalls { get; } = [];

        public Party Add(string profileId, ProfileState state)
        {
            var party = new Party(this, profileId, state, rules);
            _parties[profileId] = party;
            return party;
        }

        /// <summary>Calls to this profile are carried out, but their answers never come back.</summary>
        public void LoseAnswersFrom(string profileId) => _answersLost.Add(profileId);

        private async Task<ProfileReply> AbsorbAtAsync(string survivorId, Immutable<AbsorbedProfile> loser)
        {
            AbsorbCalls.Add(survivorId);
            var survivor = _parties[survivorId];
            ProfileReply reply = survivor switch
            {
                { Erased: true } => ProfileReply.Erased(survivorId),
                { State.ForwardedTo: { } forwardedTo } => ProfileReply.Forwarded(forwardedTo),
                { State.ResolvingBy: not null } => ProfileReply.Retry(survivorId, RetryCause.Held),
                _ => await survivor.Protocol.AbsorbAsync(loser.Value),
            };
            if (_answersLost.Remove(survivorId)) throw new TimeoutException($"The answer of {survivorId} was lost.");
            return reply;
        }

        public sealed class Party : IMergeHost
        {
            private readonly MergeParties _parties;

            public Party(MergeParties parties, string profileId, ProfileState state, IdentityRules rules)
            {
                _parties = parties;
                State = state;
                Protocol = new MergeProtocol(profileId, () => State, rules, this);
            }

            public ProfileState State { get; }

            public MergeProtocol Protocol { get; }

            public bool Erased { get; set; }

            public int Writes { get; private set; }

            public (string? ForwardedTo, bool HandoffPending)? WrittenBeforeHandOff { get; private set; }

            public int Absorbed { get; private set; }

            public List<bool> HandedOff { get; } = [];

            public Task WriteAsync()
            {
                Writes++;
                WrittenBeforeHandOff ??= (State.ForwardedTo, State.HandoffPending);
                return Task.CompletedTask;
            }

            public Task<ProfileReply> AbsorbAtAsync(string survivorId, Immutable<AbsorbedProfile> loser) => _parties.AbsorbAtAsync(survivorId, loser);

            public Task AbsorbedAsync()
            {
                Absorbed++;
                return WriteAsync();
            }

            public Task HandedOffAsync(bool merged)
            {
                HandedOff.Add(merged);
                return Task.CompletedTask;
            }
        }
    }
}
