using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Abstractions;

/// <summary>
/// The profile as a party to a merge: the ingestor asks the loser to merge into a smaller survivor, and the loser
/// hands its content to the survivor. A profile merged away keeps a forwarding pointer to the profile that took it
/// in: the parent link of the union-find whose roots are the surviving profiles. The one call a profile awaits on
/// another profile is <see cref="Absorb"/>, and only on a strictly smaller id, so merges form no call cycle (see
/// docs/ARCHITECTURE.md).
/// </summary>
[Alias("IProfileMerge")]
public interface IProfileMerge : IGrainWithStringKey
{
    /// <summary>Called on the loser of a merge: hands its content to <paramref name="survivorId"/> (smaller)
    /// and forwards there from now on. Done at the profile that took it in; refused when that profile would break
    /// a limit (this profile then stays as it is). <paramref name="arriving"/>: identifiers the touchpoints behind
    /// this merge will bring, counted against the limits too.</summary>
    /// <returns>Retry <see cref="RetryCause.WouldCallLarger"/> when the survivor was forwarded to an id that is not
    /// smaller than this one (a resolution re-pointed it): the merge did not happen.</returns>
    [Alias("MergeInto")]
    Task<ProfileReply> MergeInto(string survivorId, Immutable<IdentifierRef[]> arriving);

    /// <summary>Called by a loser on the survivor: takes in the loser's content once (keyed by its id), unless
    /// together they would break an identity rule limit.</summary>
    [Alias("Absorb")]
    Task<ProfileReply> Absorb(Immutable<AbsorbedProfile> loser);
}

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
