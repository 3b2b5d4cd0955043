using Profiles.Core.Personalisation;
using Orleans.Concurrency;
using Profiles.Core.Profiles;

namespace Profiles.Grains.Abstractions;

/// <summary>The profile as readers see it: whole, or only its computed traits and audiences. While a resolution holds
/// the profile it answers retry (<see cref="RetryCause.Held"/>): between installing the profiles of a component and
/// releasing them, an identifier may point at a profile that no longer holds it.</summary>
/// <remarks>Reads interleave with the profile's other calls: a lookup does not queue behind a write turn awaiting its
/// batch's durable write, nor behind the touchpoints waiting for the next turn. They read the state between two changes
/// and change nothing.</remarks>
[Alias("IProfileRead")]
public interface IProfileRead : IGrainWithStringKey
{
    /// <summary>The profile as it stands.</summary>
    [Alias("Get"), AlwaysInterleave]
    Task<ProfileReply<ProfileSnapshot>> Get();

    /// <summary>Only the computed traits and audiences, for the storefront's small read; whether the profile holds
    /// <paramref name="identifierKey"/> when one is given.</summary>
    [Alias("GetPersonalised"), AlwaysInterleave]
    Task<ProfileReply<PersonalisedProfile>> GetPersonalised(string? identifierKey);

    /// <summary>Whether this activation still is the profile's own: false once another activation opened its journey
    /// since, as a node does that takes the profile over from a node the cluster declared dead while that node, cut
    /// off from the others but not from Redis, still runs. Such an activation may lack touchpoints acknowledged since;
    /// it deactivates, so that the next call reads the profile afresh.</summary>
    [Alias("IsCurrent"), AlwaysInterleave]
    Task<bool> IsCurrent();
}

/// <summary>A profile as read. Immutable: the grain hands out its own copy of the content and evaluated values, so
/// Orleans need not copy them again within a silo.</summary>
[GenerateSerializer, Immutable, Alias("ProfileSnapshot")]
public sealed record ProfileSnapshot(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] ProfileContent Content,
    [property: Id(2)] List<string> MergedProfileIds,
    [property: Id(3)] long Version,
    [property: Id(4)] PersonalisedValues Personalised) : IProfileReadResult
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
    [property: Id(4)] PersonalisedValues Personalised) : IProfileReadResult;
