using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Resolution;

/// <summary>
/// Forgets a customer everywhere (DELETE /v1/profiles/{id}): the surviving profile and every profile merged
/// into it (journeys, idempotency records, snapshots), then the identifier links to them. The profiles refuse
/// touchpoints first, so a writer racing the erasure either landed before (and is erased with it) or starts
/// again once the identifiers are unknown, on a fresh, empty profile.
/// </summary>
public sealed class ProfileEraser(IGrainFactory grains, ProfileReader reader, IdentifierCache cache)
{
    /// <summary>False when no profile answers to <paramref name="profileId"/>.</summary>
    public async Task<bool> EraseAsync(string profileId)
    {
        if (await reader.FindByIdAsync(profileId) is not { } profile) return false;
        var root = await grains.ByKey<IProfileErase>(profile.ProfileId).Erase();
        var merged = await Task.WhenAll(root.MergedProfileIds.Select(id => grains.ByKey<IProfileErase>(id).Erase()));
        string[] erasedIds = [profile.ProfileId, .. root.MergedProfileIds];
        var keys = root.IdentifierKeys.Concat(merged.SelectMany(m => m.IdentifierKeys)).Distinct().ToArray();
        foreach (var key in keys) cache.Forget(key);
        await Task.WhenAll(keys.Select(key => grains.ByKey<IIdentifierGrain>(key).Erase(erasedIds)));
        return true;
    }
}
