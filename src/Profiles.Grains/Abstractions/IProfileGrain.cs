using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Abstractions;

/// <summary>
/// One unified customer. A profile merged into another keeps a forwarding pointer to it: these pointers are the
/// parent links of a union-find whose roots are the surviving profiles. Every grain-to-grain call goes from a
/// larger profile id to a strictly smaller one, so no call cycle (and no deadlock) can form; see
/// docs/ARCHITECTURE.md.
/// </summary>
[Alias("IProfileGrain")]
public interface IProfileGrain : IGrainWithStringKey
{
    /// <summary>Stores the touchpoints in the journey and folds the new ones into the profile; or, when this
    /// profile was merged away, says where to go instead and changes nothing. The list is passed as immutable:
    /// neither side changes it, so Orleans need not copy it within a silo.</summary>
    [Alias("Apply")]
    Task<ApplyOutcome> Apply(Immutable<List<Touchpoint>> touchpoints);

    /// <summary>Called on the loser of a merge: hands its content to <paramref name="survivorId"/> (smaller)
    /// and forwards there from now on.</summary>
    [Alias("MergeInto")]
    Task<Redirect> MergeInto(string survivorId);

    /// <summary>Called by a loser on the survivor: takes in the loser's content once (keyed by its id).</summary>
    [Alias("Absorb")]
    Task<Redirect> Absorb(Immutable<AbsorbedProfile> loser);

    /// <summary>The profile as it stands, or where it was merged to.</summary>
    [Alias("Get")]
    Task<ProfileSnapshot> Get();
}

/// <summary>Where a call landed. <see cref="Done"/> false means the called profile had been merged away
/// before and the caller must continue at <see cref="ProfileId"/>; true means the work is done and
/// <see cref="ProfileId"/> holds the set (a surviving profile, as far as that grain knew).</summary>
[GenerateSerializer, Immutable, Alias("Redirect")]
public sealed record Redirect([property: Id(0)] bool Done, [property: Id(1)] string ProfileId)
{
    public static Redirect To(string profileId) => new(false, profileId);

    public static Redirect DoneAt(string profileId) => new(true, profileId);
}

/// <summary>Either <see cref="ForwardedTo"/> (nothing applied) or, per touchpoint in order, whether it was
/// new (false: its id was already stored, a duplicate).</summary>
[GenerateSerializer, Immutable, Alias("ApplyOutcome")]
public sealed record ApplyOutcome([property: Id(0)] string? ForwardedTo, [property: Id(1)] bool[] IsNew);

[GenerateSerializer, Alias("AbsorbedProfile")]
public sealed record AbsorbedProfile(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] ProfileContent Content,
    [property: Id(2)] List<string> MergedProfileIds);

/// <summary>A profile as read. <see cref="ForwardedTo"/> set: merged away, follow it. <see cref="Exists"/>
/// false: no touchpoint ever landed on this id. Immutable: the grain hands out its own copy of the content, so
/// Orleans need not copy it again within a silo.</summary>
[GenerateSerializer, Immutable, Alias("ProfileSnapshot")]
public sealed record ProfileSnapshot(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] string? ForwardedTo,
    [property: Id(2)] ProfileContent Content,
    [property: Id(3)] List<string> MergedProfileIds,
    [property: Id(4)] long Version)
{
    public bool Exists => ForwardedTo is null && (!Content.IsEmpty || MergedProfileIds.Count > 0);
}
