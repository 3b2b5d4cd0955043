using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Calls;

/// <summary>
/// The one way to call a profile, for every caller that is not a profile itself: follows forwarding pointers to the
/// profile that answers for an id (the union-find "find"), calls a superseded activation again at once, and waits
/// out a resolution holding the profile, all within one <see cref="CallBudget"/>. The other answers are the
/// caller's: done, refused, erased, and a stale pointer (<see cref="RetryCause.StalePointer"/>,
/// <see cref="RetryCause.WouldCallLarger"/>), after which only the caller knows where to start again.
/// </summary>
/// <remarks>A loop that must differ for a reason of its protocol is built on the same pieces (<see cref="FollowAsync{TReply}"/>,
/// <see cref="ForwardTrail"/>, <see cref="CallBudget"/>) and says why where it is.</remarks>
public sealed class ProfileCalls(IGrainFactory grains, TimeProvider time)
{
    /// <summary>A budget for one operation of several calls, starting now.</summary>
    public CallBudget StartBudget() => CallBudget.Start(time);

    /// <summary>Calls <paramref name="call"/> on the profile that answers for <paramref name="profileId"/>, waiting
    /// while a resolution holds it.</summary>
    /// <param name="budget">The operation's budget; a new one when the call is an operation of its own.</param>
    /// <exception cref="CallBudgetSpentException">The profile stayed held, or kept changing, past the budget.</exception>
    public Task<TReply> CallAsync<TRole, TReply>(string profileId, Func<TRole, Task<TReply>> call, CallBudget? budget = null)
        where TRole : IGrainWithStringKey
        where TReply : ProfileReply =>
        CallAsync(profileId, id => call(grains.ByKey<TRole>(id)), budget ?? StartBudget());

    /// <summary>As <see cref="CallAsync{TRole, TReply}"/>, but a profile held by a resolution answers the caller
    /// (<see cref="RetryCause.Held"/>) instead of being waited out: for a caller whose other pointers the resolution
    /// may move, so that it must read them again once the hold ends.</summary>
    public Task<TReply> FollowAsync<TRole, TReply>(string profileId, Func<TRole, Task<TReply>> call, CallBudget budget)
        where TRole : IGrainWithStringKey
        where TReply : ProfileReply =>
        FollowAsync(profileId, id => call(grains.ByKey<TRole>(id)), budget);

    /// <summary>The policy itself, given how to call the profile of an id: follows forwards and calls a superseded
    /// activation again, then waits while the profile is held and starts over from <paramref name="profileId"/> (the
    /// resolution may have pointed it elsewhere).</summary>
    public static async Task<TReply> CallAsync<TReply>(string profileId, Func<string, Task<TReply>> callAt, CallBudget budget)
        where TReply : ProfileReply
    {
        for (var attempt = 2; ; attempt++)
        {
            var reply = await FollowAsync(profileId, callAt, budget);
            if (reply.Because != RetryCause.Held) return reply;
            budget.ThrowIfSpent($"Profile {reply.ProfileId} stayed held by a resolution of its component");
            await budget.PauseAsync(attempt);
        }
    }

    /// <summary>Follows forwards from <paramref name="profileId"/> and calls a superseded activation again at once (the
    /// call reaches the activation that took over); answers anything else, a hold included.</summary>
    /// <exception cref="ForwardingCycleException">The follow came back to an id that forwarded it: a defect.</exception>
    public static async Task<TReply> FollowAsync<TReply>(string profileId, Func<string, Task<TReply>> callAt, CallBudget budget)
        where TReply : ProfileReply
    {
        var trail = new ForwardTrail();
        while (true)
        {
            var reply = await callAt(profileId);
            if (reply.Kind == ProfileReplyKind.Forwarded) profileId = trail.Follow(profileId, reply.ProfileId);
            else if (reply.Because != RetryCause.Superseded) return reply;
            // Forwards end (the pointers form a forest), but one that races with merges and resolutions may keep
            // meeting new ones, and a superseded activation may answer again until it is gone.
            budget.ThrowIfSpent($"Profile {profileId} kept being merged, resolved or taken over");
        }
    }
}
