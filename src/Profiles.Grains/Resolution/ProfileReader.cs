using Profiles.Grains.Abstractions;
using Profiles.Grains.Journey;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Resolution;

/// <summary>Reads profiles and journeys, following merged-away ids to the surviving profile.</summary>
public sealed class ProfileReader(IGrainFactory grains, IdentifierCache cache, IJourneyStore journeys)
{
    /// <summary>The surviving profile of <paramref name="profileId"/>, or null when no touchpoint ever landed there.</summary>
    public async Task<ProfileSnapshot?> FindByIdAsync(string profileId)
    {
        var snapshot = await grains.GetGrain<IProfileGrain>(profileId).Get();
        while (snapshot.ForwardedTo is { } next) snapshot = await grains.GetGrain<IProfileGrain>(next).Get();
        return snapshot.Exists ? snapshot : null;
    }

    public async Task<ProfileSnapshot?> FindByIdentifierAsync(string identifierKey)
    {
        var identifier = grains.GetGrain<IIdentifierGrain>(identifierKey);
        var profileId = cache.TryGet(identifierKey, out var remembered) ? remembered : await identifier.GetProfile();
        if (profileId is null) return null;
        // An identifier takes its profile just before its first touchpoint lands; until that touchpoint is in
        // the profile, the link is not made and the identifier stays unknown.
        if (await FindByIdAsync(profileId) is not { } snapshot || !snapshot.Content.Identifiers.ContainsKey(identifierKey)) return null;
        if (snapshot.ProfileId != profileId)
        {
            cache.Remember(identifierKey, snapshot.ProfileId);
            identifier.PointTo(snapshot.ProfileId).Ignore();
        }
        return snapshot;
    }

    /// <summary>A page of the surviving profile's journey, which covers every profile merged into it.</summary>
    public async Task<JourneyPage?> ReadJourneyAsync(string profileId, JourneyPosition? after, int limit)
    {
        if (await FindByIdAsync(profileId) is not { } profile) return null;
        var items = await journeys.ReadPageAsync([profile.ProfileId, .. profile.MergedProfileIds], after, limit + 1);
        var hasMore = items.Count > limit;
        var page = hasMore ? items.Take(limit).ToList() : items;
        return new JourneyPage(profile.ProfileId, page, hasMore ? JourneyPosition.Of(page[^1]) : null);
    }
}

public sealed record JourneyPage(string ProfileId, IReadOnlyList<Touchpoint> Items, JourneyPosition? Next);
