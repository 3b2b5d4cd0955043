using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Changes;

namespace Profiles.Grains.Identity;

/// <summary>
/// A resolution's hold on one profile (docs/ARCHITECTURE.md, "Canonical resolution"), as the profile keeps it: frozen
/// by one resolution at a time, given its new state or pointed at the profile that now answers for it, released; and a
/// resolution that holds it too long, which may have died with its node, asked to go on. The decisions over its
/// state, with the grain's calls and writes behind <see cref="IResolutionHoldHost"/>.
/// </summary>
/// <param name="profileId">The profile's id.</param>
/// <param name="profile">Its state as it stands (a state cleared or read again is a new object).</param>
/// <param name="rules">The identity rules, which name the profile's strongest identifier.</param>
/// <param name="time">The clock that says how long the hold has lasted.</param>
/// <param name="host">The grain's calls and writes.</param>
public sealed class ResolutionHold(string profileId, Func<ProfileState> profile, IdentityRules rules, TimeProvider time, IResolutionHoldHost host)
{
    /// <summary>A resolution that holds a profile longer than this may have died with its node: callers turned away, or
    /// answered from the held state, have it asked to go on (a resolution still running takes the request after it is
    /// done, and finds nothing left to do).</summary>
    public static readonly TimeSpan HeldTooLong = TimeSpan.FromSeconds(5);

    // When the resolution was last asked to go on, or this activation saw it take hold.
    private long _nudgedAt = time.GetTimestamp();

    private ProfileState Profile => profile();

    /// <summary>The resolution that holds the profile; null while none does.</summary>
    public string? HeldBy => Profile.ResolvingBy;

    /// <summary>Takes hold for <paramref name="resolutionId"/> (again, if it already holds it) and answers what it
    /// needs to know. Retry <see cref="RetryCause.Held"/> while another resolution holds the profile: the older of two
    /// waits for the younger, and the younger gives way; why it cannot be held otherwise (forwarded, erased).</summary>
    public async Task<ProfileReply<ResolutionView>> FreezeAsync(string resolutionId)
    {
        if (Profile.ResolvingBy is { } holder && holder != resolutionId)
        {
            // The older of two resolutions waits for the younger: one that died with its node must be woken to end.
            NudgeIfHeldTooLong();
            return ProfileReply<ResolutionView>.Not(ProfileReply.Retry(profileId, RetryCause.Held));
        }
        if (await host.UnavailableAsync() is { } elsewhere) return ProfileReply<ResolutionView>.Not(elsewhere);
        if (Profile.ResolvingBy is null)
        {
            Profile.ResolvingBy = resolutionId;
            _nudgedAt = time.GetTimestamp();
            await host.WriteAsync();
        }
        var content = Profile.Content;
        return ProfileReply<ResolutionView>.Done(profileId, new ResolutionView(
            profileId,
            StrongestIdentifier.Of(content, rules),
            [.. content.Identifiers.Keys],
            [.. Profile.Merged],
            new(Profile.MergedStrongest, StringComparer.Ordinal),
            [.. content.RefusedLinks.Values.Select(r => r.Key).Distinct()],
            Profile.Version));
    }

    /// <summary>The holder gives the profile its new state; the version only ever grows, whatever the journey's new
    /// length. Another resolution's state is ignored: it gave way, and the holder installs its own.</summary>
    public async Task InstallAsync(string resolutionId, ResolvedProfile installed)
    {
        if (Profile.ResolvingBy is { } holder && holder != resolutionId) return;
        var version = Profile.Version;
        Profile.ResolvingBy = resolutionId;
        Profile.Content = installed.Content;
        Profile.Merged = new HashSet<string>(installed.MergedProfileIds, StringComparer.Ordinal);
        Profile.MergedStrongest = new(installed.MergedStrongest, StringComparer.Ordinal);
        foreach (var (key, to) in installed.MovedAway) Profile.MovedAway[key] = to;
        foreach (var key in installed.Content.Identifiers.Keys) Profile.MovedAway.Remove(key);
        Profile.ForwardedTo = null;
        Profile.HandoffPending = false;
        Profile.LosersToWithdraw.Clear();
        Profile.AppliedLogLength = installed.LogLength;
        Profile.ChangesOutsideLog = version + 1 - installed.LogLength;
        host.Installed();
        await host.WriteAsync();
    }

    /// <summary>The holder points this id at <paramref name="target"/>, a profile it installed (whose id may be larger
    /// than this one): from now on the id answers forwarded there, and holds nothing of its own.</summary>
    public async Task InstallForwardAsync(string resolutionId, string target)
    {
        if (Profile.ResolvingBy is { } holder && holder != resolutionId) return;
        if (Profile.ForwardedTo == target && Profile.Content.IsEmpty) return;
        var version = Profile.Version;
        Profile.ForwardedTo = target;
        Profile.HandoffPending = false;
        Profile.Content = new ProfileContent();
        Profile.Merged.Clear();
        Profile.MergedStrongest.Clear();
        Profile.LosersToWithdraw.Clear();
        Profile.AppliedLogLength = 0;
        Profile.ChangesOutsideLog = version + 1;
        await host.WriteAsync();
    }

    /// <summary>The holder lets go, and the profile announces <paramref name="changes"/>; a release by any other
    /// resolution changes nothing.</summary>
    public async Task ReleaseAsync(string resolutionId, ProfileChange[] changes)
    {
        if (Profile.ResolvingBy != resolutionId) return;
        Profile.ResolvingBy = null;
        await host.WriteAsync();
        await host.ReleasedAsync(changes);
    }

    /// <summary>Asks the resolution holding the profile to go on if it has held it for longer than
    /// <see cref="HeldTooLong"/> since it took hold or was last asked.</summary>
    public void NudgeIfHeldTooLong()
    {
        if (time.GetElapsedTime(_nudgedAt) > HeldTooLong) Nudge();
    }

    /// <summary>Asks the resolution holding the profile to go on now: an activation that finds the profile held does,
    /// since the resolution's node may have died.</summary>
    public void Nudge()
    {
        if (Profile.ResolvingBy is not { } resolution) return;
        _nudgedAt = time.GetTimestamp();
        host.Nudge(resolution);
    }
}
