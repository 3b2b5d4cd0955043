using Microsoft.Extensions.Options;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Calls;
using Profiles.Grains.Identity;
using Profiles.Grains.Journey;
using Profiles.Grains.Storage;
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
        await ExistingAsync(await FollowAsync(profileId));

    /// <summary>The computed traits and audiences of the surviving profile of <paramref name="profileId"/>; null as
    /// for <see cref="FindByIdAsync"/>.</summary>
    public async Task<PersonalisedProfile?> FindPersonalisedByIdAsync(string profileId) =>
        await ExistingAsync(await ReadPersonalisedAsync(profileId, null));

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
        FindByIdentifierAsync(identifierKey, FollowAsync, snapshot => snapshot.Holds(identifierKey));

    /// <summary>The computed traits and audiences of the profile holding the identifier, read without the rest.</summary>
    public Task<PersonalisedProfile?> FindPersonalisedByIdentifierAsync(string identifierKey) =>
        FindByIdentifierAsync(identifierKey, profileId => ReadPersonalisedAsync(profileId, identifierKey), profile => profile is { Exists: true, HoldsIdentifier: true });

    /// <param name="read">The surviving profile of a profile id; null when it was erased.</param>
    /// <param name="holds">Whether a profile read holds the identifier. An identifier takes its profile just before
    /// its first touchpoint lands; until that touchpoint is in the profile, the link is not made and the identifier
    /// stays unknown.</param>
    private async Task<T?> FindByIdentifierAsync<T>(string identifierKey, Func<string, Task<T?>> read, Func<T, bool> holds) where T : class, IProfileReadResult
    {
        if (cache.TryGet(identifierKey, out var remembered))
        {
            if (await read(remembered) is { } found && holds(found)) return found;
            // Remembered from before an erasure or a released link: ask the identifier itself.
            cache.Forget(identifierKey);
        }
        string? asked = null;
        T? notHolding = null;
        // Read again when its profile does not hold it: a resolution may have moved it while the read waited.
        while (await PointerAsync(identifierKey) is { } profileId && profileId != asked)
        {
            var profile = await read(profileId);
            if (profile is not null && holds(profile))
            {
                cache.Remember(identifierKey, profile.ProfileId);
                if (profile.ProfileId != profileId) grains.ByKey<IIdentifierGrain>(identifierKey).PointTo(profileId, profile.ProfileId).Ignore();
                return profile;
            }
            (asked, notHolding) = (profileId, profile);
        }
        if (notHolding is not null) await EnsureCurrentAsync(notHolding.ProfileId);
        return null;
    }

    /// <summary>The profile read when it exists; null when no touchpoint ever landed on it, or it was erased.</summary>
    private async Task<T?> ExistingAsync<T>(T? read) where T : class, IProfileReadResult
    {
        if (read is { Exists: true }) return read;
        if (read is not null) await EnsureCurrentAsync(read.ProfileId);
        return null;
    }

    /// <summary>
    /// Before a read answers that a profile lacks what was asked (unknown: 404), makes sure the answer came from the
    /// profile's own activation. A node that the other nodes declared dead, cut off from them but not from Redis,
    /// still runs until it reads so in the membership table, and its activations answer from memory while another
    /// node has taken their profiles over and lands touchpoints there: its answer may lack what was acknowledged since.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The answer came from an activation another node superseded (503:
    /// another node answers).</exception>
    private async Task EnsureCurrentAsync(string profileId)
    {
        if (!await grains.ByKey<IProfileRead>(profileId).IsCurrent())
            throw new StorageUnavailableException("The profile was read on a node that another node took it over from; this node cannot tell what it holds now.");
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
