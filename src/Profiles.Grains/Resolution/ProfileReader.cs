using Microsoft.Extensions.Options;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Calls;
using Profiles.Grains.Identity;
using Profiles.Grains.Journey;
using Profiles.Grains.Retention;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Resolution;

/// <summary>Reads profiles and journeys, following merged-away ids to the surviving profile.</summary>
public sealed class ProfileReader(
    IGrainFactory grains, ProfileCalls calls, IdentifierCache cache, IIdentifierPointers pointers, IJourneyStore journeys, IOptions<RetentionOptions> retention, TimeProvider time)
{
    /// <summary>The surviving profile of <paramref name="profileId"/>, or null when no touchpoint ever landed there
    /// or it was erased.</summary>
    public async Task<ProfileSnapshot?> FindByIdAsync(string profileId) =>
        await FollowAsync(profileId) is { Exists: true } snapshot ? snapshot : null;

    /// <summary>The computed traits and audiences of the surviving profile of <paramref name="profileId"/>; null as
    /// for <see cref="FindByIdAsync"/>.</summary>
    public async Task<PersonalisedProfile?> FindPersonalisedByIdAsync(string profileId) =>
        await ReadPersonalisedAsync(profileId, null) is { Exists: true } profile ? profile : null;

    /// <summary>The profile <paramref name="profileId"/> ended up in, following merges, whether or not any
    /// touchpoint landed there yet; null when it was erased.</summary>
    public async Task<ProfileSnapshot?> FollowAsync(string profileId)
    {
        var reply = await ReadAsync(profileId, profile => profile.Get());
        return reply.IsDone ? reply.Result : null;
    }

    /// <summary>A read that waits out a resolution holding the profile (usually milliseconds).</summary>
    /// <exception cref="CallBudgetSpentException">The profile stayed held (answered 503: retry).</exception>
    private Task<ProfileReply<T>> ReadAsync<T>(string profileId, Func<IProfileRead, Task<ProfileReply<T>>> read) => calls.CallAsync(profileId, read);

    /// <summary>Where an identifier leads now, following merges: the surviving profile it points to, whether or not its
    /// first touchpoint has landed there yet (see <see cref="ProfileReading.Holds"/>); null while it is unknown.</summary>
    public async Task<ProfileSnapshot?> FollowIdentifierAsync(string identifierKey) =>
        await PointerAsync(identifierKey) is { } profileId ? await FollowAsync(profileId) : null;


    public Task<ProfileSnapshot?> FindByIdentifierAsync(string identifierKey) =>
        FindByIdentifierAsync(identifierKey, async profileId =>
            await FindByIdAsync(profileId) is { } snapshot && snapshot.Content.Identifiers.ContainsKey(identifierKey) ? snapshot : null);

    /// <summary>The computed traits and audiences of the profile holding the identifier, read without the rest.</summary>
    public Task<PersonalisedProfile?> FindPersonalisedByIdentifierAsync(string identifierKey) =>
        FindByIdentifierAsync(identifierKey, async profileId =>
            await ReadPersonalisedAsync(profileId, identifierKey) is { Exists: true, HoldsIdentifier: true } profile ? profile : null);

    /// <param name="findHolder">The surviving profile of a profile id if it holds the identifier. An identifier
    /// takes its profile just before its first touchpoint lands; until that touchpoint is in the profile, the link
    /// is not made and the identifier stays unknown.</param>
    private async Task<T?> FindByIdentifierAsync<T>(string identifierKey, Func<string, Task<T?>> findHolder) where T : class, IProfileReadResult
    {
        if (cache.TryGet(identifierKey, out var remembered))
        {
            if (await findHolder(remembered) is { } found) return found;
            // Remembered from before an erasure or a released link: ask the identifier itself.
            cache.Forget(identifierKey);
        }
        string? asked = null;
        // Read again when its profile does not hold it: a resolution may have moved it while the read waited.
        while (await PointerAsync(identifierKey) is { } profileId && profileId != asked)
        {
            if (await findHolder(profileId) is { } holder)
            {
                cache.Remember(identifierKey, holder.ProfileId);
                if (holder.ProfileId != profileId) grains.ByKey<IIdentifierGrain>(identifierKey).PointTo(profileId, holder.ProfileId).Ignore();
                return holder;
            }
            asked = profileId;
        }
        return null;
    }

    /// <summary>Read without activating the identifier's grain: a lookup of an identifier this node does not
    /// remember costs a read, not an activation.</summary>
    private async Task<string?> PointerAsync(string identifierKey) => (await pointers.ReadAsync([identifierKey]))[0];

    private async Task<PersonalisedProfile?> ReadPersonalisedAsync(string profileId, string? identifierKey)
    {
        var reply = await ReadAsync(profileId, profile => profile.GetPersonalised(identifierKey));
        return reply.IsDone ? reply.Result : null;
    }

    /// <summary>A page of the surviving profile's journey, which covers every profile merged into it.</summary>
    public async Task<JourneyPage?> ReadJourneyAsync(string profileId, JourneyPosition? after, int limit)
    {
        if (await FindByIdAsync(profileId) is not { } profile) return null;
        var items = await journeys.ReadPageAsync([profile.ProfileId, .. profile.MergedProfileIds], after, limit + 1);
        // A touchpoint older than the retention leaves the journey at once, whether or not its content has left storage
        // yet; the oldest come last, so the journey ends there.
        if (retention.Value.Touchpoints is { } keep)
        {
            var horizon = time.GetUtcNow() - keep;
            items = [.. items.TakeWhile(t => t.OccurredAt >= horizon)];
        }
        var hasMore = items.Count > limit;
        var page = hasMore ? items.Take(limit).ToList() : items;
        return new JourneyPage(profile.ProfileId, page, hasMore ? JourneyPosition.Of(page[^1]) : null);
    }
}

public static class ProfileReading
{
    /// <summary>Whether the profile read holds the identifier: an identifier is known once its first touchpoint landed.</summary>
    public static bool Holds(this ProfileSnapshot? profile, string identifierKey) =>
        profile is { Exists: true } && profile.Content.Identifiers.ContainsKey(identifierKey);
}

public sealed record JourneyPage(string ProfileId, IReadOnlyList<Touchpoint> Items, JourneyPosition? Next);
