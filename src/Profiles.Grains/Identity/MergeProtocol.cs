using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Calls;

namespace Profiles.Grains.Identity;

/// <summary>
/// One profile's side of a merge (docs/ARCHITECTURE.md, "Merge protocol"), as loser and as survivor: the decisions
/// over its state, with the grain's calls and writes behind <see cref="IMergeHost"/>. The loser records where it goes
/// before it hands over, so a crash in between resumes the hand-off (<see cref="FinishInterruptedHandOffAsync"/>),
/// and the survivor takes a loser's content once, keyed by the loser's id.
/// </summary>
/// <param name="profileId">The profile's id.</param>
/// <param name="profile">Its state as it stands (a state cleared or read again is a new object).</param>
/// <param name="rules">The identity rules a merge must not break.</param>
/// <param name="host">The grain's calls and writes.</param>
public sealed class MergeProtocol(string profileId, Func<ProfileState> profile, IdentityRules rules, IMergeHost host)
{
    private ProfileState Profile => profile();

    /// <summary>The loser's side: forwards to <paramref name="survivorId"/> and hands its content there.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="survivorId"/> is not smaller than this profile's id.</exception>
    public async Task<ProfileReply> MergeIntoAsync(string survivorId, IdentifierRef[] arriving)
    {
        EnsureSmaller(survivorId, profileId);
        // Recorded before the hand-off: a crash in between resumes it on activation, and the survivor takes our
        // content only once.
        Profile.ForwardedTo = survivorId;
        Profile.HandoffPending = true;
        await host.WriteAsync();
        return await HandOffAsync(arriving);
    }

    /// <summary>A hand-off cut short (a crash, or storage failing mid-way) completes before anything else is
    /// answered, so no caller follows the forwarding pointer to a survivor that lacks this profile's content.</summary>
    public async Task FinishInterruptedHandOffAsync()
    {
        if (Profile.HandoffPending) await HandOffAsync([]);
    }

    /// <summary>The survivor's side: takes in the loser's content once, unless together they would break a limit.</summary>
    /// <exception cref="InvalidOperationException">The loser's id is not larger than this profile's.</exception>
    public async Task<ProfileReply> AbsorbAsync(AbsorbedProfile loser)
    {
        EnsureSmaller(profileId, loser.ProfileId);
        if (Profile.Merged.Contains(loser.ProfileId)) return ProfileReply.Done(profileId);
        if (!new LimitCheck(rules, Profile.Content).Including(loser.Content).Including(loser.Arriving).Fits) return ProfileReply.Refused(profileId);

        Profile.Merged.Add(loser.ProfileId);
        if (StrongestIdentifier.Of(loser.Content, rules) is { } strongest) Profile.MergedStrongest[loser.ProfileId] = strongest;
        foreach (var (merged, key) in loser.MergedStrongest) Profile.MergedStrongest[merged] = key;
        Profile.Content.Merge(loser.Content);
        Profile.Merged.UnionWith(loser.MergedProfileIds);
        foreach (var (key, to) in loser.MovedAway.Where(moved => !Profile.Content.Identifiers.ContainsKey(moved.Key))) Profile.MovedAway.TryAdd(key, to);
        Profile.ChangesOutsideLog++;
        Profile.LosersToWithdraw.Add(loser.ProfileId);
        await host.AbsorbedAsync();
        return ProfileReply.Done(profileId);
    }

    private async Task<ProfileReply> HandOffAsync(IdentifierRef[] arriving)
    {
        var loser = new AbsorbedProfile(profileId, Profile.Content, [.. Profile.Merged], arriving, new(Profile.MergedStrongest), new(Profile.MovedAway));
        var landed = await AbsorbedBySmallerAsync(Profile.ForwardedTo!, loser.AsImmutable());
        if (landed.IsDone)
        {
            Profile.ForwardedTo = landed.ProfileId;
            Profile.Content = new ProfileContent();
            Profile.Merged.Clear();
        }
        else
        {
            // Refused by a limit, the survivor erased, held or re-pointed: we stay a profile of our own.
            Profile.ForwardedTo = null;
        }
        Profile.HandoffPending = false;
        await host.WriteAsync();
        await host.HandedOffAsync(landed.IsDone);
        return landed;
    }

    /// <summary>Asks <paramref name="survivorId"/> to absorb us, following its forwarding pointers as
    /// <see cref="ProfileCalls"/> does, with two differences its protocol needs. It only ever calls a profile with a
    /// smaller id than ours, which is what keeps grain calls free of cycles: a resolution may forward an old id to a
    /// new, larger one, and the hand-off then stops (<see cref="RetryCause.WouldCallLarger"/>). And it waits out no hold:
    /// this profile's turn would wait on a resolution that may want to freeze this profile next, so a held survivor is
    /// answered at once, and the writer starts again once the hold ends.</summary>
    private async Task<ProfileReply> AbsorbedBySmallerAsync(string survivorId, Immutable<AbsorbedProfile> loser)
    {
        var trail = new ForwardTrail();
        while (true)
        {
            if (string.CompareOrdinal(survivorId, profileId) >= 0) return ProfileReply.Retry(survivorId, RetryCause.WouldCallLarger);
            var reply = await host.AbsorbAtAsync(survivorId, loser);
            if (reply.Kind != ProfileReplyKind.Forwarded) return reply;
            survivorId = trail.Follow(survivorId, reply.ProfileId);
        }
    }

    private static void EnsureSmaller(string survivorId, string loserId)
    {
        if (string.CompareOrdinal(survivorId, loserId) >= 0)
        {
            throw new InvalidOperationException($"Profile {loserId} cannot merge into {survivorId}: merges go to the smaller id.");
        }
    }
}
