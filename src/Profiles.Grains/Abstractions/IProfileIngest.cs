using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Abstractions;

/// <summary>
/// The profile as the ingestor writes to it: touchpoints land here, refused links and operator entries are kept,
/// and claims no touchpoint made good are let go. Identity rules are checked here, inside the grain's turn, so
/// concurrent writers can never give a profile more identifiers of a type than its limit.
/// </summary>
[Alias("IProfileIngest")]
public interface IProfileIngest : IGrainWithStringKey
{
    /// <summary>Stores the touchpoints in the journey and folds the new ones into the profile, leaving out
    /// identifiers the limits refuse. The list is passed as immutable: neither side changes it, so Orleans need
    /// not copy it.</summary>
    /// <returns>Retry <see cref="RetryCause.StalePointer"/> when an identifier of the batch was moved away from this
    /// profile since the caller read that it points here; <see cref="RetryCause.Superseded"/> when another activation
    /// of the profile took its journey over.</returns>
    [Alias("Apply")]
    Task<ProfileReply<Applied>> Apply(Immutable<List<Touchpoint>> touchpoints);

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

    /// <summary>Keeps an operator's unlink or relink in this profile's journey (it links nothing and counts in no
    /// figure); the caller then resolves the component again, which applies it.</summary>
    [Alias("RecordOperatorEntry")]
    Task<ProfileReply> RecordOperatorEntry(Immutable<Touchpoint> entry);
}

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

/// <summary>What <see cref="IProfileIngest.Apply"/> did: per touchpoint in order, how it landed and which of its
/// identifiers the limits kept out; and the batch's identifier keys this profile does not hold.</summary>
[GenerateSerializer, Immutable, Alias("Applied")]
public sealed record Applied(
    [property: Id(0)] Landing[] Landings,
    [property: Id(1)] RefusedLink[][] Refused,
    [property: Id(2)] string[] NotHeld,
    [property: Id(3)] bool HoldsUnlinkedPair = false);
