using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Changes;
using Profiles.Grains.Identity;

namespace Profiles.Grains.Tests;

/// <summary>A resolution's hold on a profile (<see cref="ResolutionHold"/>): what the profile lets which resolution do,
/// and when it asks a resolution that may have died to go on.</summary>
public class ResolutionHoldTests
{
    private readonly SteppingClock _clock = new();
    private readonly HeldProfile _profile;

    public ResolutionHoldTests() => _profile = new HeldProfile("p", ProfileStates.Holding(("email", "ann@example.com"), ("cookie", "ck-1")), _clock);

    [Fact]
    public async Task A_resolution_takes_hold_once_and_learns_what_it_needs()
    {
        var first = await _profile.Hold.FreezeAsync("r1");
        var again = await _profile.Hold.FreezeAsync("r1");

        Assert.Equal("r1", _profile.Hold.HeldBy);
        Assert.Equal(1, _profile.Writes);
        Assert.Equal(ProfileStates.Key("cookie", "ck-1"), first.Result.StrongestKey);
        Assert.Equal(_profile.State.Content.Identifiers.Keys.Order(), first.Result.HeldKeys.Order());
        Assert.Equal(first.Result.Version, again.Result.Version);
    }

    [Fact]
    public async Task Another_resolution_is_answered_held_while_one_holds_the_profile()
    {
        await _profile.Hold.FreezeAsync("r1");

        var second = await _profile.Hold.FreezeAsync("r2");

        Assert.Equal((ProfileReplyKind.Retry, "p", RetryCause.Held), (second.Kind, second.ProfileId, second.Because));
        Assert.Equal("r1", _profile.Hold.HeldBy);
    }

    [Fact]
    public async Task A_profile_that_cannot_be_held_says_where_to_go_and_stays_free()
    {
        _profile.Unavailable = ProfileReply.Forwarded("a");

        var reply = await _profile.Hold.FreezeAsync("r1");

        Assert.Equal((ProfileReplyKind.Forwarded, "a"), (reply.Kind, reply.ProfileId));
        Assert.Null(_profile.Hold.HeldBy);
        Assert.Equal(0, _profile.Writes);
    }

    [Fact]
    public async Task A_resolution_holding_too_long_is_asked_to_go_on_and_not_again_before_as_long_again()
    {
        await _profile.Hold.FreezeAsync("r1");

        _clock.Advance(ResolutionHold.HeldTooLong);
        _profile.Hold.NudgeIfHeldTooLong();
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await _profile.Hold.FreezeAsync("r2");
        _clock.Advance(ResolutionHold.HeldTooLong);
        _profile.Hold.NudgeIfHeldTooLong();
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        _profile.Hold.NudgeIfHeldTooLong();

        Assert.Equal(["r1", "r1"], _profile.Nudged);
    }

    [Fact]
    public async Task The_holder_installs_a_new_state_and_the_version_still_grows()
    {
        await _profile.Hold.FreezeAsync("r1");
        var before = _profile.State.Version;
        var kept = ProfileStates.Holding(("email", "ann@example.com"));
        var (ann, cookie) = (ProfileStates.Key("email", "ann@example.com"), ProfileStates.Key("cookie", "ck-1"));
        _profile.State.MovedAway[ann] = "q";
        _profile.State.ForwardedTo = "stale";

        await _profile.Hold.InstallAsync("r1", new ResolvedProfile(kept.Content, ["m"], new() { ["m"] = cookie }, LogLength: 1, new() { [cookie] = "s" }));

        Assert.Equal(1, _profile.State.Content.Touchpoints);
        Assert.Equal(["m"], _profile.State.Merged);
        Assert.Null(_profile.State.ForwardedTo);
        Assert.Equal(new Dictionary<string, string> { [cookie] = "s" }, _profile.State.MovedAway);
        Assert.Equal(before + 1, _profile.State.Version);
        Assert.Equal("r1", _profile.Hold.HeldBy);
        Assert.Equal(1, _profile.Installs);
    }

    [Fact]
    public async Task A_resolution_that_does_not_hold_the_profile_installs_forwards_and_releases_nothing()
    {
        await _profile.Hold.FreezeAsync("r1");
        var writes = _profile.Writes;

        await _profile.Hold.InstallAsync("r2", new ResolvedProfile(new ProfileContent(), [], [], 0, []));
        await _profile.Hold.InstallForwardAsync("r2", "q");
        await _profile.Hold.ReleaseAsync("r2", []);

        Assert.Equal(2, _profile.State.Content.Touchpoints);
        Assert.Null(_profile.State.ForwardedTo);
        Assert.Equal("r1", _profile.Hold.HeldBy);
        Assert.Equal(writes, _profile.Writes);
    }

    [Fact]
    public async Task The_holder_points_the_id_at_a_profile_it_installed_once_even_a_larger_one()
    {
        await _profile.Hold.FreezeAsync("r1");
        var before = _profile.State.Version;

        await _profile.Hold.InstallForwardAsync("r1", "z");
        var writes = _profile.Writes;
        await _profile.Hold.InstallForwardAsync("r1", "z");

        Assert.Equal("z", _profile.State.ForwardedTo);
        Assert.True(_profile.State.Content.IsEmpty);
        Assert.Empty(_profile.State.Merged);
        Assert.Equal(before + 1, _profile.State.Version);
        Assert.Equal(writes, _profile.Writes);
    }

    [Fact]
    public async Task The_holder_releases_the_profile_with_the_changes_to_announce()
    {
        await _profile.Hold.FreezeAsync("r1");
        var split = ProfileChange.Split("p", ["q"], DateTimeOffset.UnixEpoch);

        await _profile.Hold.ReleaseAsync("r1", [split]);

        Assert.Null(_profile.Hold.HeldBy);
        Assert.Equal([split], _profile.Released);
        _profile.Hold.NudgeIfHeldTooLong();
        _clock.Advance(ResolutionHold.HeldTooLong * 2);
        _profile.Hold.NudgeIfHeldTooLong();
        Assert.Empty(_profile.Nudged);
    }

    /// <summary>A profile grain's side of the hold, in memory.</summary>
    private sealed class HeldProfile : IResolutionHoldHost
    {
        public HeldProfile(string profileId, ProfileState state, TimeProvider time)
        {
            State = state;
            Hold = new ResolutionHold(profileId, () => State, IdentityRules.None, time, this);
        }

        public ProfileState State { get; }

        public ResolutionHold Hold { get; }

        public ProfileReply? Unavailable { get; set; }

        public int Writes { get; private set; }

        public int Installs { get; private set; }

        public List<string> Nudged { get; } = [];

        public List<ProfileChange> Released { get; } = [];

        public Task WriteAsync()
        {
            Writes++;
            return Task.CompletedTask;
        }

        public Task<ProfileReply?> UnavailableAsync() => Task.FromResult(Unavailable);

        public void Nudge(string resolutionId) => Nudged.Add(resolutionId);

        public void Installed() => Installs++;

        public Task ReleasedAsync(ProfileChange[] changes)
        {
            Released.AddRange(changes);
            return Task.CompletedTask;
        }
    }
}
