using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Abstractions;

/// <summary>
/// One unified customer. A profile merged into another keeps a forwarding pointer to it: these pointers are the
/// parent links of a union-find whose roots are the surviving profiles. Every grain-to-grain call goes from a
/// larger profile id to a strictly smaller one, so no call cycle (and no deadlock) can form; see
/// docs/ARCHITECTURE.md. Identity rules are checked here, inside the grain's turn, so concurrent writers
/// can never give a profile more identifiers of a type than its limit.
/// </summary>
[Alias("IProfileGrain")]
public interface IProfileGrain : IGrainWithStringKey, IWatchable
{
    /// <summary>Stores the touchpoints in the journey and folds the new ones into the profile, leaving out
    /// identifiers the limits refuse; or, when this profile was merged away, says where to go instead and changes
    /// nothing. The list is passed as immutable: neither side changes it, so Orleans need not copy it.</summary>
    [Alias("Apply")]
    Task<ApplyOutcome> Apply(Immutable<List<Touchpoint>> touchpoints);

    /// <summary>Called on the loser of a merge: hands its content to <paramref name="survivorId"/> (smaller)
    /// and forwards there from now on; or stays as it is when the survivor refuses (a limit). <paramref name="arriving"/>:
    /// identifiers the touchpoints behind this merge will bring, counted against the limits too.</summary>
    [Alias("MergeInto")]
    Task<Redirect> MergeInto(string survivorId, Immutable<IdentifierRef[]> arriving);

    /// <summary>Called by a loser on the survivor: takes in the loser's content once (keyed by its id), unless
    /// together they would break an identity rule limit.</summary>
    [Alias("Absorb")]
    Task<Redirect> Absorb(Immutable<AbsorbedProfile> loser);

    /// <summary>The identifier keys of every type that has a limit, for a batch to foresee a refusal.</summary>
    [Alias("GetLimitedKeys")]
    Task<LimitedKeys> GetLimitedKeys();

    /// <summary>Notes a link refused on the other side: a touchpoint of another profile carried one of ours.</summary>
    [Alias("RecordRefusedLink")]
    Task<Redirect> RecordRefusedLink(Immutable<RefusedLink> refused);

    /// <summary>Erases this profile: its journey (and idempotency records), its state, and from now on it
    /// refuses touchpoints. Returns what the caller must erase next: the identifiers it held and the profiles
    /// merged into it.</summary>
    [Alias("Erase")]
    Task<ErasedProfile> Erase();

    /// <summary>The profile as it stands, or where it was merged to.</summary>
    [Alias("Get")]
    Task<ProfileSnapshot> Get();
}

public enum RedirectKind
{
    /// <summary>The work is done; the profile id holds the set (a surviving profile, as far as that grain knew).</summary>
    Done,

    /// <summary>The called profile had been merged away before: continue at the profile id.</summary>
    Forwarded,

    /// <summary>An identity rule limit refused the merge; nothing changed.</summary>
    Refused,

    /// <summary>The profile was erased: whoever pointed the caller at it is out of date.</summary>
    Erased,
}

[GenerateSerializer, Immutable, Alias("Redirect")]
public sealed record Redirect([property: Id(0)] RedirectKind Kind, [property: Id(1)] string ProfileId)
{
    public static Redirect To(string profileId) => new(RedirectKind.Forwarded, profileId);

    public static Redirect DoneAt(string profileId) => new(RedirectKind.Done, profileId);

    public static Redirect RefusedBy(string profileId) => new(RedirectKind.Refused, profileId);

    public static Redirect ErasedAt(string profileId) => new(RedirectKind.Erased, profileId);
}

[GenerateSerializer, Immutable, Alias("ErasedProfile")]
public sealed record ErasedProfile([property: Id(0)] string[] IdentifierKeys, [property: Id(1)] string[] MergedProfileIds);

public enum Landing
{
    /// <summary>Stored now.</summary>
    New,

    /// <summary>Its id was already stored: nothing changed.</summary>
    Duplicate,

    /// <summary>Not applied: its strongest identifier cannot join this profile (a limit), so it belongs to a
    /// profile of its own.</summary>
    Rerouted,
}

/// <summary>Either <see cref="ForwardedTo"/> (nothing applied) or, per touchpoint in order, how it landed and
/// which of its identifiers the limits kept out; and the batch's identifier keys this profile does not hold.</summary>
[GenerateSerializer, Immutable, Alias("ApplyOutcome")]
public sealed record ApplyOutcome(
    [property: Id(0)] string? ForwardedTo,
    [property: Id(1)] Landing[] Landings,
    [property: Id(2)] RefusedLink[][] Refused,
    [property: Id(3)] string[] NotHeld,
    [property: Id(4)] bool Erased = false)
{
    public static ApplyOutcome Forwarded(string profileId) => new(profileId, [], [], []);

    /// <summary>The profile was erased: the caller's idea of which profile holds these identifiers is stale.</summary>
    public static ApplyOutcome OfErased() => new(null, [], [], [], Erased: true);
}

[GenerateSerializer, Alias("AbsorbedProfile")]
public sealed record AbsorbedProfile(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] ProfileContent Content,
    [property: Id(2)] List<string> MergedProfileIds,
    [property: Id(3)] IdentifierRef[] Arriving);

[GenerateSerializer, Immutable, Alias("LimitedKeys")]
public sealed record LimitedKeys([property: Id(0)] string? ForwardedTo, [property: Id(1)] Dictionary<string, string[]> KeysByType);

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
