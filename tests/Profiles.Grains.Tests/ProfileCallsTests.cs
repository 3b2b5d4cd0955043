using Profiles.Grains.Abstractions;
using Profiles.Grains.Calls;

namespace Profiles.Grains.Tests;

/// <summary>The one call policy (<see cref="ProfileCalls"/>), against scripted profiles: what each answer makes it do.</summary>
public class ProfileCallsTests
{
    private readonly SteppingClock _clock = new();

    [Fact]
    public async Task Forwards_are_followed_to_the_profile_that_answers()
    {
        var profiles = new ScriptedProfiles()
            .Answer("c", ProfileReply.Forwarded("b"))
            .Answer("b", ProfileReply.Forwarded("a"))
            .Answer("a", ProfileReply.Done("a"));

        var reply = await ProfileCalls.CallAsync("c", profiles.CallAt, CallBudget.Start(_clock));

        Assert.Equal(ProfileReply.Done("a"), reply);
        Assert.Equal(["c", "b", "a"], profiles.Called);
    }

    [Fact]
    public async Task A_follow_that_comes_back_to_an_id_that_forwarded_fails_loudly()
    {
        var profiles = new ScriptedProfiles()
            .Answer("a", ProfileReply.Forwarded("b"))
            .Answer("b", ProfileReply.Forwarded("c"))
            .Answer("c", ProfileReply.Forwarded("b"));

        var cycle = await Assert.ThrowsAsync<ForwardingCycleException>(() => ProfileCalls.CallAsync("a", profiles.CallAt, CallBudget.Start(_clock)));

        Assert.Contains("a -> b -> c -> b", cycle.Message);
        Assert.Equal(["a", "b", "c"], profiles.Called);
    }

    [Fact]
    public async Task A_held_profile_is_waited_out_and_called_again_from_the_first_id()
    {
        // Released, the held profile forwards: its resolution pointed the id at another profile.
        var profiles = new ScriptedProfiles()
            .Answer("b", ProfileReply.Retry("b", RetryCause.Held), ProfileReply.Retry("b", RetryCause.Held), ProfileReply.Forwarded("c"))
            .Answer("a", ProfileReply.Forwarded("b"))
            .Answer("c", ProfileReply.Done("c"));

        var reply = await ProfileCalls.CallAsync("a", profiles.CallAt, CallBudget.Start(_clock));

        Assert.Equal(ProfileReply.Done("c"), reply);
        Assert.Equal(["a", "b", "a", "b", "a", "b", "c"], profiles.Called);
        Assert.Equal(TimeSpan.FromMilliseconds(20 + 40), _clock.Waited);
    }

    [Fact]
    public async Task A_superseded_activation_is_called_again_at_once()
    {
        var profiles = new ScriptedProfiles().Answer("a", ProfileReply.Retry("a", RetryCause.Superseded), ProfileReply.Done("a"));

        var reply = await ProfileCalls.FollowAsync("a", profiles.CallAt, CallBudget.Start(_clock));

        Assert.Equal(ProfileReply.Done("a"), reply);
        Assert.Equal(["a", "a"], profiles.Called);
        Assert.Equal(TimeSpan.Zero, _clock.Waited);
    }

    [Fact]
    public async Task A_profile_held_past_the_budget_throws_a_timeout_the_API_answers_with_503()
    {
        var profiles = new ScriptedProfiles().Answer("a", ProfileReply.Retry("a", RetryCause.Held));

        var spent = await Assert.ThrowsAsync<CallBudgetSpentException>(() => ProfileCalls.CallAsync("a", profiles.CallAt, CallBudget.Start(_clock)));

        Assert.IsAssignableFrom<TimeoutException>(spent);
        Assert.Contains("Profile a stayed held", spent.Message);
        Assert.InRange(_clock.Waited, CallBudget.Length, CallBudget.Length + TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task A_follow_answers_a_hold_to_its_caller_without_waiting()
    {
        var profiles = new ScriptedProfiles().Answer("b", ProfileReply.Forwarded("a")).Answer("a", ProfileReply.Retry("a", RetryCause.Held));

        var reply = await ProfileCalls.FollowAsync("b", profiles.CallAt, CallBudget.Start(_clock));

        Assert.Equal(ProfileReply.Retry("a", RetryCause.Held), reply);
        Assert.Equal(TimeSpan.Zero, _clock.Waited);
    }

    [Theory]
    [InlineData(RetryCause.StalePointer)]
    [InlineData(RetryCause.WouldCallLarger)]
    public async Task A_stale_pointer_is_the_callers_to_handle(RetryCause cause)
    {
        var profiles = new ScriptedProfiles().Answer("a", ProfileReply.Retry("a", cause));

        var reply = await ProfileCalls.CallAsync("a", profiles.CallAt, CallBudget.Start(_clock));

        Assert.Equal(ProfileReply.Retry("a", cause), reply);
        Assert.Equal(["a"], profiles.Called);
    }

    [Fact]
    public async Task Refused_and_erased_end_the_call()
    {
        var profiles = new ScriptedProfiles().Answer("b", ProfileReply.Forwarded("a")).Answer("a", ProfileReply.Erased("a")).Answer("c", ProfileReply.Refused("c"));

        Assert.Equal(ProfileReply.Erased("a"), await ProfileCalls.CallAsync("b", profiles.CallAt, CallBudget.Start(_clock)));
        Assert.Equal(ProfileReply.Refused("c"), await ProfileCalls.CallAsync("c", profiles.CallAt, CallBudget.Start(_clock)));
    }

    [Fact]
    public async Task Forwards_that_keep_coming_are_bounded_by_the_budget()
    {
        // Every id forwards to a new one, as merges and resolutions racing the follow could make it for a while.
        var next = 0;
        Task<ProfileReply> EndlessForwards(string profileId)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(ProfileReply.Forwarded($"p{++next}"));
        }

        await Assert.ThrowsAsync<CallBudgetSpentException>(() => ProfileCalls.CallAsync("p0", EndlessForwards, CallBudget.Start(_clock)));

        Assert.InRange(next, 20, 22);
    }

    /// <summary>Profiles that answer each call with the next of their scripted replies, the last one for ever.</summary>
    private sealed class ScriptedProfiles
    {
        private readonly Dictionary<string, Queue<ProfileReply>> _replies = [];

        public List<string> Called { get; } = [];

        public ScriptedProfiles Answer(string profileId, params ProfileReply[] replies)
        {
            _replies[profileId] = new Queue<ProfileReply>(replies);
            return this;
        }

        public Task<ProfileReply> CallAt(string profileId)
        {
            Called.Add(profileId);
            var replies = _replies[profileId];
            return Task.FromResult(replies.Count > 1 ? replies.Dequeue() : replies.Peek());
        }
    }
}
