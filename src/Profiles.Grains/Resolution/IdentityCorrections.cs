using Profiles.Core.Resolution;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Calls;

namespace Profiles.Grains.Resolution;

/// <summary>
/// An operator's correction of identity (<c>POST /v1/profiles/{id}/unlink</c> and <c>/relink</c>): recorded in the
/// journey as an operator entry, so it holds in any order of arrival, then applied by resolving the component
/// again: an unlink splits the profile at once, a relink lets the two identifiers join again if links join them.
/// </summary>
public sealed class IdentityCorrections(ProfileCalls calls, ProfileReader reader, ComponentResolver resolver, IdentityRules rules, TimeProvider time)
{
    /// <summary>The channel operator entries are recorded on: no channel a customer uses, and counted in no figure.</summary>
    public const string Channel = "operator";

    /// <param name="kind"><see cref="OperatorEntry.Unlink"/> or <see cref="OperatorEntry.Relink"/>.</param>
    /// <param name="profileId">The profile the operator acts on.</param>
    /// <param name="pair">The two identifiers.</param>
    public async Task<Correction> CorrectAsync(string kind, string profileId, IdentifierRef[] pair)
    {
        if (await reader.FindByIdAsync(profileId) is not { } profile) return new Correction.UnknownProfile();
        var holders = new ProfileSnapshot?[pair.Length];
        for (var i = 0; i < pair.Length; i++) holders[i] = await reader.FindByIdentifierAsync(pair[i].Key);
        if (Array.FindIndex(holders, h => h is null) is var unknown and >= 0) return new Correction.NotHeld(unknown);
        // An unlink parts two identifiers of this profile; a relink joins one of this profile's to another.
        if (kind == OperatorEntry.Unlink && Array.FindIndex(holders, h => h!.ProfileId != profile.ProfileId) is var elsewhere and >= 0)
        {
            return new Correction.NotHeld(elsewhere);
        }
        if (kind == OperatorEntry.Relink && holders.All(h => h!.ProfileId != profile.ProfileId)) return new Correction.NotHeld(0);

        IdentifierRef[] identifiers = [.. pair.Order(Comparer<IdentifierRef>.Create(rules.Compare))];
        var entry = new Touchpoint($"op-{Guid.NewGuid():n}", time.GetUtcNow(), Channel, kind, identifiers, [], null);
        var anchorProfile = holders[Array.FindIndex(pair, i => i.Key == identifiers[0].Key)]!.ProfileId;
        // Recording waits out a resolution holding the profile; both steps share one budget.
        var budget = calls.StartBudget();
        await calls.CallAsync(anchorProfile, (IProfileIngest profile) => profile.RecordOperatorEntry(entry.AsImmutable()), budget);
        await resolver.ResolveAsync(holders.Select(h => h!.ProfileId), [entry.Id], budget);
        var after = new List<ProfileSnapshot>();
        foreach (var identifier in pair)
        {
            if (await reader.FindByIdentifierAsync(identifier.Key) is { } now && after.TrueForAll(p => p.ProfileId != now.ProfileId)) after.Add(now);
        }
        return new Correction.Done(after, entry.Id);
    }
}

/// <summary>What an operator's correction came to.</summary>
public abstract record Correction
{
    /// <summary>No profile has the id.</summary>
    public sealed record UnknownProfile : Correction;

    /// <summary>The identifier at <see cref="Index"/> is not one this correction can act on (not in the profile, or unknown).</summary>
    public sealed record NotHeld(int Index) : Correction;

    /// <summary>Recorded (as <see cref="EntryId"/>) and applied: the profiles the two identifiers belong to now.</summary>
    public sealed record Done(IReadOnlyList<ProfileSnapshot> Profiles, string EntryId) : Correction;
}
