using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Resolution;

/// <summary>
/// Where validated touchpoints enter the grains and identifiers are resolved. For a batch it resolves every
/// identifier once, groups the touchpoints whose identifiers connect, unites each group's profiles into the
/// smallest id, and applies each group to its surviving profile in one call. It is not a grain: it only
/// calls grains, so it cannot be part of a call cycle.
/// </summary>
public sealed class TouchpointIngestor(IGrainFactory grains, IdentifierCache cache, TimeProvider time)
{
    /// <summary>Per touchpoint, in order: the profile it landed on, and whether it was new.</summary>
    public async Task<IngestOutcome[]> IngestAsync(IReadOnlyList<Touchpoint> touchpoints)
    {
        var profileOfKey = await ResolveIdentifiersAsync(touchpoints);
        var connected = Connect(touchpoints, key => profileOfKey[key]);

        var outcomes = new IngestOutcome[touchpoints.Count];
        var groups = Enumerable.Range(0, touchpoints.Count).GroupBy(i => connected.Find(profileOfKey[touchpoints[i].Identifiers[0].Key]));
        var landedOn = await Task.WhenAll(groups.Select(async group =>
        {
            var indices = group.ToArray();
            var members = indices.SelectMany(i => touchpoints[i].Identifiers).Select(id => profileOfKey[id.Key]).ToHashSet(StringComparer.Ordinal);
            var root = await UniteAsync(members);
            var (profileId, isNew) = await ApplyAsync(root, [.. indices.Select(i => touchpoints[i])]);
            for (var k = 0; k < indices.Length; k++) outcomes[indices[k]] = new IngestOutcome(profileId, isNew[k]);
            return (Group: group.Key, ProfileId: profileId);
        }));

        CompressPaths(profileOfKey, connected, landedOn.ToDictionary(g => g.Group, g => g.ProfileId, StringComparer.Ordinal));
        return outcomes;
    }

    /// <summary>
    /// The profile of every identifier of the batch. Known identifiers answer in one round; identifiers seen
    /// for the first time then join the profile their touchpoint goes to (the smallest known profile it
    /// connects to, or one new profile per group), so a first sighting costs no merge.
    /// </summary>
    private async Task<Dictionary<string, string>> ResolveIdentifiersAsync(IReadOnlyList<Touchpoint> touchpoints)
    {
        var profileOfKey = new Dictionary<string, string>(StringComparer.Ordinal);
        var uncached = new List<string>();
        foreach (var key in touchpoints.SelectMany(t => t.Identifiers).Select(i => i.Key))
        {
            if (profileOfKey.ContainsKey(key) || uncached.Contains(key)) continue;
            if (cache.TryGet(key, out var remembered)) profileOfKey[key] = remembered;
            else uncached.Add(key);
        }
        if (uncached.Count == 0) return profileOfKey;
        var known = await Task.WhenAll(uncached.Select(key => grains.GetGrain<IIdentifierGrain>(key).GetProfile()));
        for (var i = 0; i < uncached.Count; i++)
        {
            if (known[i] is { } profileId) profileOfKey[uncached[i]] = profileId;
        }
        var keys = profileOfKey.Keys.Concat(uncached.Where(key => !profileOfKey.ContainsKey(key))).ToArray();
        if (profileOfKey.Count == keys.Length) return profileOfKey;

        // Known profiles and unknown keys are nodes of one graph; a key stands for itself until it has a profile.
        var connected = Connect(touchpoints, key => profileOfKey.GetValueOrDefault(key, key));
        var proposals = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, profileId) in profileOfKey)
        {
            var group = connected.Find(profileId);
            proposals[group] = proposals.TryGetValue(group, out var other) ? ProfileId.Survivor(other, profileId) : profileId;
        }
        var unknown = keys.Where(key => !profileOfKey.ContainsKey(key)).ToArray();
        var assigned = await Task.WhenAll(unknown.Select(key =>
        {
            var group = connected.Find(key);
            if (!proposals.TryGetValue(group, out var proposal)) proposals[group] = proposal = ProfileId.New(time);
            return grains.GetGrain<IIdentifierGrain>(key).GetOrAssignProfile(proposal);
        }));
        for (var i = 0; i < unknown.Length; i++) profileOfKey[unknown[i]] = assigned[i];
        return profileOfKey;
    }

    private static DisjointSets Connect(IReadOnlyList<Touchpoint> touchpoints, Func<string, string> nodeOfKey)
    {
        var connected = new DisjointSets();
        foreach (var touchpoint in touchpoints)
        {
            var first = nodeOfKey(touchpoint.Identifiers[0].Key);
            connected.Find(first);
            foreach (var identifier in touchpoint.Identifiers) connected.Union(first, nodeOfKey(identifier.Key));
        }
        return connected;
    }

    /// <summary>
    /// Merges the profiles into one and returns it. Each round merges every other profile into the smallest;
    /// one that was merged away meanwhile answers where it went, and that profile joins the next round.
    /// Ids only ever decrease, so this ends.
    /// </summary>
    private async Task<string> UniteAsync(HashSet<string> profiles)
    {
        while (true)
        {
            var survivor = profiles.Min(StringComparer.Ordinal)!;
            var losers = profiles.Where(p => p != survivor).ToArray();
            if (losers.Length == 0) return survivor;
            var redirects = await Task.WhenAll(losers.Select(p => grains.GetGrain<IProfileGrain>(p).MergeInto(survivor)));
            if (redirects.All(r => r.Done)) return redirects.Select(r => r.ProfileId).Min(StringComparer.Ordinal)!;
            profiles = redirects.Select(r => r.ProfileId).Append(survivor).ToHashSet(StringComparer.Ordinal);
        }
    }

    private async Task<(string ProfileId, bool[] IsNew)> ApplyAsync(string profileId, List<Touchpoint> touchpoints)
    {
        while (true)
        {
            var outcome = await grains.GetGrain<IProfileGrain>(profileId).Apply(touchpoints.AsImmutable());
            if (outcome.ForwardedTo is null) return (profileId, outcome.IsNew);
            profileId = outcome.ForwardedTo;
        }
    }

    /// <summary>Points identifiers straight at their surviving profile, in this node's cache and in their grains,
    /// so later touchpoints and lookups skip the forwarding hops.</summary>
    private void CompressPaths(Dictionary<string, string> profileOfKey, DisjointSets connected, Dictionary<string, string> landedOn)
    {
        foreach (var (key, profileId) in profileOfKey)
        {
            var survivor = landedOn[connected.Find(profileId)];
            cache.Remember(key, survivor);
            if (survivor != profileId) grains.GetGrain<IIdentifierGrain>(key).PointTo(survivor).Ignore();
        }
    }
}

public readonly record struct IngestOutcome(string ProfileId, bool IsNew);
