using Profiles.Grains.Abstractions;
using Profiles.Grains.Calls;

namespace Profiles.Grains.Resolution;

/// <summary>
/// Forgets a customer everywhere (DELETE /v1/profiles/{id}): the profile that stands for them and every profile merged
/// into it (journeys, idempotency records, snapshots), then the identifier links to them. The erasure follows forwards
/// in the call that erases, so a merge or a resolution between finding the customer and erasing them cannot leave the
/// customer standing elsewhere. The profiles refuse touchpoints first, so a writer racing the erasure either landed
/// before (and is erased with it) or starts again once the identifiers are unknown, on a fresh, empty profile.
/// </summary>
public sealed class ProfileEraser(IGrainFactory grains, ProfileCalls calls, IdentifierCache cache)
{
    /// <summary>False when no profile answers to <paramref name="profileId"/>.</summary>
    /// <exception cref="CallBudgetSpentException">A resolution held the customer's profile past the call budget.</exception>
    public Task<bool> EraseAsync(string profileId) => EraseAsync(profileId, profile => profile.Erase());

    /// <summary>Retention: erases the customer <paramref name="profileId"/> stands for only while they hold no
    /// identifier but anonymous ones and were last seen before <paramref name="lastSeenBefore"/>, as the profile decides
    /// in its own turn. False when nothing was erased.</summary>
    /// <exception cref="CallBudgetSpentException">A resolution held the customer's profile past the call budget.</exception>
    public Task<bool> EraseIfAnonymousAsync(string profileId, DateTimeOffset lastSeenBefore) =>
        EraseAsync(profileId, profile => profile.EraseIfAnonymous(lastSeenBefore));

    private async Task<bool> EraseAsync(string profileId, Func<IProfileErase, Task<ProfileReply<ErasedProfile?>>> erase)
    {
        var reply = await calls.CallAsync(profileId, erase);
        if (!reply.IsDone || reply.Result is not { } root) return false;
        var merged = await Task.WhenAll(root.MergedProfileIds.Select(id => grains.ByKey<IProfileErase>(id).EraseMerged()));
        string[] erasedIds = [reply.ProfileId, .. root.MergedProfileIds];
        var keys = root.IdentifierKeys.Concat(merged.SelectMany(m => m.IdentifierKeys)).Distinct().ToArray();
        foreach (var key in keys) cache.Forget(key);
        await Task.WhenAll(keys.Select(key => grains.ByKey<IIdentifierGrain>(key).Erase(erasedIds)));
        return true;
    }
}
