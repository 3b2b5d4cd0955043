using Profiles.Core.Profiles;
using Profiles.Grains.Changes;

namespace Profiles.Grains.Abstractions;

/// <summary>
/// The profile as a resolution (<see cref="IResolutionGrain"/>) holds and rewrites it: frozen, given its new state or
/// pointed at the profile that now answers for it, and released. A held profile only ever calls its resolution
/// one-way, so resolutions add no call cycle.
/// </summary>
[Alias("IProfileResolutionTarget")]
public interface IProfileResolutionTarget : IGrainWithStringKey
{
    /// <summary>A resolution takes hold of the profile: until it releases it, the profile refuses every change
    /// (retry, <see cref="RetryCause.Held"/>) but answers reads. Done with what the resolution needs to know;
    /// forwarded when the profile was merged away; retry when another resolution holds it.</summary>
    [Alias("Freeze")]
    Task<ProfileReply<ResolutionView>> Freeze(string resolutionId);

    /// <summary>The resolution that holds the profile; null while none does.</summary>
    [Alias("HeldBy")]
    Task<string?> HeldBy();

    /// <summary>The resolution that holds the profile gives it its new state (its journey was rewritten before).</summary>
    [Alias("Install")]
    Task Install(string resolutionId, Immutable<ResolvedProfile> resolved);

    /// <summary>The resolution makes this id answer with <paramref name="profileId"/> from now on: a profile of the
    /// component it holds, installed before, which may have a larger id than this one.</summary>
    [Alias("InstallForward")]
    Task InstallForward(string resolutionId, string profileId);

    /// <summary>The resolution lets go: the profile takes changes again, reports its standing and announces
    /// <paramref name="changes"/> (a split, merges) in the feed.</summary>
    [Alias("ReleaseResolution")]
    Task ReleaseResolution(string resolutionId, Immutable<ProfileChange[]> changes);

    /// <summary>The last link made in this profile per type of its weaker end (see <see cref="ProfileContent.LastLinks"/>):
    /// whether a refusal of a later link can be trusted, or the component must be resolved again.</summary>
    [Alias("GetLastLinks")]
    Task<ProfileReply<Dictionary<string, LinkMark>>> GetLastLinks();
}

/// <summary>What a resolution needs to know of a profile it holds.</summary>
/// <param name="StrongestKey">The strongest identifier the profile holds: the part holding it keeps the id.</param>
/// <param name="HeldKeys">Every identifier it holds.</param>
/// <param name="MergedProfileIds">The profiles merged into it, whose journeys it reads.</param>
/// <param name="MergedStrongest">The strongest identifier each of those held when it was merged.</param>
/// <param name="RefusedOtherKeys">Identifiers on the other side of links refused here: the component goes on there.</param>
/// <param name="Version">Its version, which only ever grows.</param>
[GenerateSerializer, Immutable, Alias("ResolutionView")]
public sealed record ResolutionView(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] string? StrongestKey,
    [property: Id(2)] string[] HeldKeys,
    [property: Id(3)] string[] MergedProfileIds,
    [property: Id(4)] Dictionary<string, string> MergedStrongest,
    [property: Id(5)] string[] RefusedOtherKeys,
    [property: Id(6)] long Version);

/// <summary>A profile's state as a resolution made it: content folded from its journey, as rewritten.</summary>
/// <param name="MovedAway">Identifiers it held before that now belong to another profile, to that profile.</param>
[GenerateSerializer, Immutable, Alias("ResolvedProfile")]
public sealed record ResolvedProfile(
    [property: Id(0)] ProfileContent Content,
    [property: Id(1)] string[] MergedProfileIds,
    [property: Id(2)] Dictionary<string, string> MergedStrongest,
    [property: Id(3)] long LogLength,
    [property: Id(4)] Dictionary<string, string> MovedAway);
