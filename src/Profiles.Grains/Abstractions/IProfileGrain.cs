using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Changes;

namespace Profiles.Grains.Abstractions;

/// <summary>
/// One unified customer. A profile merged into another keeps a forwarding pointer to it: these pointers are the
/// parent links of a union-find whose roots are the surviving profiles. Every grain-to-grain call goes from a
/// larger profile id to a strictly smaller one, so no call cycle (and no deadlock) can form; see
/// docs/ARCHITECTURE.md. Identity rules are checked here, inside the grain's turn, so concurrent writers
/// can never give a profile more identifiers of a type than its limit. Every call that can meet a merged-away,
/// erased or refusing profile answers a <see cref="ProfileReply"/>.
/// </summary>
[Alias("IProfileGrain")]
public interface IProfileGrain : IGrainWithStringKey, IWatchable
{
    /// <summary>Stores the touchpoints in the journey and folds the new ones into the profile, leaving out
    /// identifiers the limits refuse. The list is passed as immutable: neither side changes it, so Orleans need
    /// not copy it.</summary>
    [Alias("Apply")]
    Task<ProfileReply<Applied>> Apply(Immutable<List<Touchpoint>> touchpoints);

    /// <summary>Called on the loser of a merge: hands its content to <paramref name="survivorId"/> (smaller)
    /// and forwards there from now on. Done at the profile that took it in; refused when that profile would break
    /// a limit (this profile then stays as it is). <paramref name="arriving"/>: identifiers the touchpoints behind
    /// this merge will bring, counted against the limits too.</summary>
    [Alias("MergeInto")]
    Task<ProfileReply> MergeInto(string survivorId, Immutable<IdentifierRef[]> arriving);

    /// <summary>Called by a loser on the survivor: takes in the loser's content once (keyed by its id), unless
    /// together they would break an identity rule limit.</summary>
    [Alias("Absorb")]
    Task<ProfileReply> Absorb(Immutable<AbsorbedProfile> loser);

    /// <summary>Of <paramref name="keys"/>, whose identifier grains point at <paramref name="pointedAt"/> (this profile, or
    /// one merged into it), those the profile does not hold are let go: they point nowhere afterwards, and a writer
    /// that read the old pointer is told to start again. Done with the keys let go.</summary>
    /// <remarks>A first sighting is claimed for the profile its touchpoint goes to before it lands there. A touchpoint
    /// that then could not land (the profile was held by a resolution, which split it) can leave its claim behind,
    /// pointing at a profile no touchpoint ever linked it to; such a pointer must not make two profiles merge or a link
    /// be refused.</remarks>
    [Alias("LetGoOfUnheld")]
    Task<ProfileReply<string[]>> LetGoOfUnheld(string[] keys, string pointedAt);

    /// <summary>The identifier keys of every type that has a limit, for a batch to foresee a refusal.</summary>
    [Alias("GetLimitedKeys")]
    Task<ProfileReply<LimitedKeys>> GetLimitedKeys();

    /// <summary>Notes a link refused on the other side: a touchpoint of another profile carried one of ours.</summary>
    [Alias("RecordRefusedLink")]
    Task<ProfileReply> RecordRefusedLink(Immutable<RefusedLink> refused);

    /// <summary>Erases this profile: its journey (and idempotency records), its state, and from now on it
    /// answers <see cref="ProfileReplyKind.Erased"/>. Returns what the caller must erase next: the identifiers it
    /// held and the profiles merged into it.</summary>
    [Alias("Erase")]
    Task<ErasedProfile> Erase();

    /// <summary>The profile as it stands.</summary>
    [Alias("Get")]
    Task<ProfileReply<ProfileSnapshot>> Get();

    /// <summary>The last link made in this profile per type of its weaker end (see <see cref="ProfileContent.LastLinks"/>):
    /// whether a refusal of a later link can be trusted, or the component must be resolved again.</summary>
    [Alias("GetLastLinks")]
    Task<ProfileReply<Dictionary<string, LinkMark>>> GetLastLinks();

    /// <summary>Keeps an operator's unlink or relink in this profile's journey (it links nothing and counts in no
    /// figure); the caller then resolves the component again, which applies it.</summary>
    [Alias("RecordOperatorEntry")]
    Task<ProfileReply> RecordOperatorEntry(Immutable<Touchpoint> entry);

    /// <summary>A resolution takes hold of the profile: until it releases it, the profile refuses every change
    /// (<see cref="ProfileReplyKind.Retry"/>) but answers reads. Done with what the resolution needs to know;
    /// forwarded when the profile was merged away; retry when another resolution holds it.</summary>
    [Alias("Freeze")]
    Task<ProfileReply<ResolutionView>> Freeze(string resolutionId);

    /// <summary>The resolution that holds the profile; null while none does.</summary>
    [Alias("HeldBy")]
    Task<string?> HeldBy();

    /// <summary>The resolution that holds the profile gives it its new state (its journey was rewritten before).</summary>
    [Alias("Install")]
    Task Install(string resolutionId, Immutable<ResolvedProfile> resolved);

    /// <summary>The resolution makes this id answer with <paramref name="profileId"/> from now on.</summary>
    [Alias("InstallForward")]
    Task InstallForward(string resolutionId, string profileId);

    /// <summary>The resolution lets go: the profile takes changes again, reports its standing and announces
    /// <paramref name="changes"/> (a split, merges) in the feed.</summary>
    [Alias("ReleaseResolution")]
    Task ReleaseResolution(string resolutionId, Immutable<ProfileChange[]> changes);

    /// <summary>Works out the profile's standing again and reports it if the date alone changed it (a window
    /// moved past a touchpoint, so an audience was left or joined).</summary>
    [Alias("RefreshStanding")]
    Task RefreshStanding();

    /// <summary>Only the computed traits and audiences, for the storefront's small read; whether the profile holds
    /// <paramref name="identifierKey"/> when one is given.</summary>
    [Alias("GetPersonalised")]
    Task<ProfileReply<PersonalisedProfile>> GetPersonalised(string? identifierKey);
}

[GenerateSerializer, Immutable, Alias("ErasedProfile")]
public sealed record ErasedProfile([property: Id(0)] string[] IdentifierKeys, [property: Id(1)] string[] MergedProfileIds);

/// <summary>How one touchpoint of an applied batch landed.</summary>
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

/// <summary>What <see cref="IProfileGrain.Apply"/> did: per touchpoint in order, how it landed and which of its
/// identifiers the limits kept out; and the batch's identifier keys this profile does not hold.</summary>
[GenerateSerializer, Immutable, Alias("Applied")]
public sealed record Applied(
    [property: Id(0)] Landing[] Landings,
    [property: Id(1)] RefusedLink[][] Refused,
    [property: Id(2)] string[] NotHeld,
    [property: Id(3)] bool HoldsUnlinkedPair = false);

/// <summary>A profile merged into a smaller one: its content, and what must go with it.</summary>
/// <param name="MovedAway">Identifiers moved away from it that it does not hold: a writer that read an old pointer at
/// it is told to start again at the survivor too.</param>
[GenerateSerializer, Alias("AbsorbedProfile")]
public sealed record AbsorbedProfile(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] ProfileContent Content,
    [property: Id(2)] List<string> MergedProfileIds,
    [property: Id(3)] IdentifierRef[] Arriving,
    [property: Id(4)] Dictionary<string, string> MergedStrongest,
    [property: Id(5)] Dictionary<string, string> MovedAway);

/// <summary>A profile read: what a reader following merges needs of any kind of read.</summary>
public interface IProfileRead
{
    string ProfileId { get; }

    /// <summary>False: no touchpoint ever landed on this id.</summary>
    bool Exists { get; }
}

/// <summary>A profile as read. Immutable: the grain hands out its own copy of the content and evaluated values, so
/// Orleans need not copy them again within a silo.</summary>
[GenerateSerializer, Immutable, Alias("ProfileSnapshot")]
public sealed record ProfileSnapshot(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] ProfileContent Content,
    [property: Id(2)] List<string> MergedProfileIds,
    [property: Id(3)] long Version,
    [property: Id(4)] PersonalisedValues Personalised) : IProfileRead
{
    public bool Exists => !Content.IsEmpty || MergedProfileIds.Count > 0;
}

/// <summary>A profile's computed traits and audiences, and no more: the storefront's read.</summary>
/// <param name="HoldsIdentifier">Whether the profile holds the identifier the read asked about (true when none).</param>
[GenerateSerializer, Immutable, Alias("PersonalisedProfile")]
public sealed record PersonalisedProfile(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] long Version,
    [property: Id(2)] bool Exists,
    [property: Id(3)] bool HoldsIdentifier,
    [property: Id(4)] PersonalisedValues Personalised) : IProfileRead;

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
