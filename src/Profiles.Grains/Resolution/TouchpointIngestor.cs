using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Resolution;

/// <summary>
/// Where validated touchpoints enter the grains and identifiers are resolved. For a batch it resolves every
/// identifier once, groups the touchpoints whose identifiers connect, unites each group's profiles into the
/// smallest id, and applies each group to its surviving profile in one call. When identity rules could refuse a
/// link, the group's touchpoints are linked one by one in arrival order instead, so the outcome is the one
/// sequential arrival gives. It is not a grain: it only calls grains, so it cannot be part of a call cycle.
/// </summary>
public sealed class TouchpointIngestor(IGrainFactory grains, IdentifierCache cache, IdentityRules rules, TimeProvider time)
{
    /// <summary>A profile being erased, or another writer taking an identifier first, makes a touchpoint start
    /// again; both settle within a few attempts.</summary>
    private const int MaxAttempts = 8;

    /// <summary>Per touchpoint, in order: the profile it landed on, whether it was new, and refused links.</summary>
    public async Task<IngestOutcome[]> IngestAsync(IReadOnlyList<Touchpoint> touchpoints)
    {
        var outcomes = new IngestOutcome?[touchpoints.Count];
        var pending = Enumerable.Range(0, touchpoints.Count).ToList();
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var batch = pending.Select(i => touchpoints[i]).ToList();
            if (attempt > 1)
            {
                // What this node remembered of these identifiers is out of date (an erased profile, a released link).
                if (attempt > MaxAttempts) throw new InvalidOperationException("The touchpoints' profiles kept changing under them (erasures or competing links).");
                foreach (var key in batch.SelectMany(t => t.Identifiers).Select(i => i.Key)) cache.Forget(key);
                await Task.Delay(TimeSpan.FromMilliseconds(25 * attempt));
            }
            var landed = await LandAsync(batch);
            for (var k = 0; k < landed.Length; k++) outcomes[pending[k]] = landed[k];
            pending = [.. pending.Where(i => outcomes[i] is null)];
        }
        return outcomes!;
    }

    /// <summary>Lands what it can; null for a touchpoint that must start again (it met an erased profile, or
    /// another writer's touchpoint took its strongest identifier first).</summary>
    private async Task<IngestOutcome?[]> LandAsync(List<Touchpoint> touchpoints)
    {
        var profileOfKey = await ResolveIdentifiersAsync(touchpoints);
        var connected = Connect(touchpoints, key => profileOfKey[key]);
        var outcomes = new IngestOutcome?[touchpoints.Count];
        var groups = Enumerable.Range(0, touchpoints.Count).GroupBy(i => connected.Find(profileOfKey[touchpoints[i].Identifiers[0].Key]));
        await Task.WhenAll(groups.Select(group => LandGroupAsync([.. group], touchpoints, profileOfKey, outcomes)));
        return outcomes;
    }

    private async Task LandGroupAsync(int[] indices, IReadOnlyList<Touchpoint> touchpoints, Dictionary<string, string> profileOfKey, IngestOutcome?[] outcomes)
    {
        var group = indices.Select(i => touchpoints[i]).ToList();
        var members = group.SelectMany(t => t.Identifiers).Select(id => profileOfKey[id.Key]).ToHashSet(StringComparer.Ordinal);
        var (united, root) = members.Count == 1 ? (RedirectKind.Done, members.First()) : await UniteBatchAsync(members, group);
        if (united == RedirectKind.Erased) return;
        if (united == RedirectKind.Refused)
        {
            foreach (var i in indices) outcomes[i] = await LinkOneAsync(touchpoints[i]);
            return;
        }

        var (profileId, applied) = await ApplyAsync(root, group);
        if (applied.Erased) return;
        await ReleaseAsync(applied.NotHeld, key => profileOfKey[key], profileId);
        Remember(group, applied.NotHeld, profileOfKey, profileId);
        for (var k = 0; k < indices.Length; k++)
        {
            outcomes[indices[k]] = applied.Landings[k] == Landing.Rerouted
                ? await LinkOneAsync(group[k])
                : new IngestOutcome(profileId, applied.Landings[k] == Landing.New, applied.Refused[k], null);
        }
    }

    /// <summary>
    /// Unites a batch group's profiles, or answers Refused when the group must be linked touchpoint by touchpoint:
    /// when together they would break a limit (foreseen from each profile's limited identifiers), or when a merge
    /// was refused all the same because another writer got there first.
    /// </summary>
    private async Task<(RedirectKind Kind, string Root)> UniteBatchAsync(HashSet<string> members, List<Touchpoint> group)
    {
        if (rules.LimitedTypes.Count > 0)
        {
            var held = await Task.WhenAll(members.Select(LimitedKeysAsync));
            var together = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var (type, keys) in held.SelectMany(h => h).Concat(group.SelectMany(t => t.Identifiers).Select(i => KeyValuePair.Create(i.Type, new[] { i.Key }))))
            {
                if (!rules.LimitedTypes.Contains(type)) continue;
                if (!together.TryGetValue(type, out var ofType)) together[type] = ofType = new HashSet<string>(StringComparer.Ordinal);
                ofType.UnionWith(keys);
            }
            if (!rules.Fits(together)) return (RedirectKind.Refused, "");
        }
        var united = await UniteAsync(members, [.. group.SelectMany(t => t.Identifiers)]);
        return (united.Kind, united.ProfileId);
    }

    /// <summary>
    /// Links one touchpoint as identity rules say: it goes to the profile of its strongest identifier, and each
    /// other identifier joins that profile unless the merge would break a limit, in which case the link is
    /// refused and noted on both profiles.
    /// </summary>
    private async Task<IngestOutcome?> LinkOneAsync(Touchpoint touchpoint)
    {
        var anchor = touchpoint.Identifiers[0];
        var root = await ResolveAsync(anchor.Key) ?? await ClaimAsync(anchor.Key, ProfileId.New(time));
        var pointedAt = new Dictionary<string, string>(StringComparer.Ordinal) { [anchor.Key] = root };
        var kept = new List<IdentifierRef> { anchor };
        var refused = new List<RefusedLink>();
        var otherSides = new List<string>();
        foreach (var identifier in touchpoint.Identifiers.Skip(1))
        {
            var profile = await ResolveAsync(identifier.Key) ?? await ClaimAsync(identifier.Key, root);
            pointedAt[identifier.Key] = profile;
            var united = profile == root ? Redirect.DoneAt(root) : await UniteAsync([root, profile], [.. kept, identifier]);
            if (united.Kind == RedirectKind.Erased) return null;
            if (united.Kind == RedirectKind.Refused)
            {
                refused.Add(new RefusedLink(identifier.Type, identifier.Key, identifier.Hint, "limit", touchpoint.Id, touchpoint.OccurredAt));
                otherSides.Add(profile);
                continue;
            }
            root = united.ProfileId;
            kept.Add(identifier);
        }

        var linked = touchpoint with { Identifiers = kept, RefusedLinks = [.. touchpoint.RefusedLinks, .. refused] };
        var (profileId, applied) = await ApplyAsync(root, [linked]);
        if (applied.Erased) return null;
        await ReleaseAsync(applied.NotHeld, key => pointedAt[key], profileId);
        // Another writer's touchpoint took the strongest identifier's place first; with it released, start again.
        if (applied.Landings[0] == Landing.Rerouted) return null;
        Remember([linked], applied.NotHeld, null, profileId);
        var noted = new RefusedLink(anchor.Type, anchor.Key, anchor.Hint, "limit", touchpoint.Id, touchpoint.OccurredAt);
        await Task.WhenAll(otherSides.Distinct().Select(other => RecordRefusedLinkAsync(other, noted)));
        return new IngestOutcome(profileId, applied.Landings[0] == Landing.New, [.. refused, .. applied.Refused[0]], null);
    }

    /// <summary>
    /// The profile of every identifier of the batch. Known identifiers
    /// answer from this node's cache or in one round of calls; identifiers seen for the first time then join the
    /// profile their touchpoint goes to (the smallest known profile it connects to, or one new profile per
    /// group), so a first sighting costs no merge.
    /// </summary>
    private async Task<Dictionary<string, string>> ResolveIdentifiersAsync(IReadOnlyList<Touchpoint> touchpoints)
    {
        var profileOfKey = new Dictionary<string, string>(StringComparer.Ordinal);
        var uncached = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in touchpoints.SelectMany(t => t.Identifiers).Select(i => i.Key))
        {
            if (!seen.Add(key)) continue;
            if (cache.TryGet(key, out var remembered)) profileOfKey[key] = remembered;
            else uncached.Add(key);
        }
        if (uncached.Count == 0) return profileOfKey;
        var known = await Task.WhenAll(uncached.Select(key => grains.GetGrain<IIdentifierGrain>(key).GetProfile()));
        for (var i = 0; i < uncached.Count; i++)
        {
            if (known[i] is { } profileId) profileOfKey[uncached[i]] = profileId;
        }
        var unknown = uncached.Where(key => !profileOfKey.ContainsKey(key)).ToArray();
        if (unknown.Length == 0) return profileOfKey;

        // Known profiles and unknown keys are nodes of one graph; a key stands for itself until it has a profile.
        var connected = Connect(touchpoints, key => profileOfKey.GetValueOrDefault(key, key));
        var proposals = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, profileId) in profileOfKey)
        {
            var group = connected.Find(profileId);
            proposals[group] = proposals.TryGetValue(group, out var other) ? ProfileId.Survivor(other, profileId) : profileId;
        }
        var proposed = unknown.Select(key =>
        {
            var group = connected.Find(key);
            if (!proposals.TryGetValue(group, out var proposal)) proposals[group] = proposal = ProfileId.New(time);
            return proposal;
        }).ToArray();
        var assigned = await Task.WhenAll(unknown.Select((key, i) => grains.GetGrain<IIdentifierGrain>(key).GetOrAssignProfile(proposed[i])));
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
    /// Ids only ever decrease, so this ends. Stops at the first merge a limit refuses, or at an erased profile.
    /// </summary>
    /// <param name="arriving">The identifiers the touchpoints behind the merge bring: the limits count them too.</param>
    private async Task<Redirect> UniteAsync(HashSet<string> profiles, IdentifierRef[] arriving)
    {
        var bringing = arriving.AsImmutable();
        while (true)
        {
            var survivor = profiles.Min(StringComparer.Ordinal)!;
            var losers = profiles.Where(p => p != survivor).ToArray();
            if (losers.Length == 0) return Redirect.DoneAt(survivor);
            var redirects = await Task.WhenAll(losers.Select(p => grains.GetGrain<IProfileGrain>(p).MergeInto(survivor, bringing)));
            if (redirects.FirstOrDefault(r => r.Kind is RedirectKind.Erased or RedirectKind.Refused) is { } stop) return stop;
            if (redirects.All(r => r.Kind == RedirectKind.Done)) return Redirect.DoneAt(redirects.Select(r => r.ProfileId).Min(StringComparer.Ordinal)!);
            profiles = redirects.Select(r => r.ProfileId).Append(survivor).ToHashSet(StringComparer.Ordinal);
        }
    }

    private async Task<(string ProfileId, ApplyOutcome Outcome)> ApplyAsync(string profileId, List<Touchpoint> touchpoints)
    {
        while (true)
        {
            var outcome = await grains.GetGrain<IProfileGrain>(profileId).Apply(touchpoints.AsImmutable());
            if (outcome.ForwardedTo is null) return (profileId, outcome);
            profileId = outcome.ForwardedTo;
        }
    }

    private async Task<Dictionary<string, string[]>> LimitedKeysAsync(string profileId)
    {
        while (true)
        {
            var limited = await grains.GetGrain<IProfileGrain>(profileId).GetLimitedKeys();
            if (limited.ForwardedTo is null) return limited.KeysByType;
            profileId = limited.ForwardedTo;
        }
    }

    private async Task RecordRefusedLinkAsync(string profileId, RefusedLink refused)
    {
        Redirect noted;
        while ((noted = await grains.GetGrain<IProfileGrain>(profileId).RecordRefusedLink(refused.AsImmutable())).Kind == RedirectKind.Forwarded)
        {
            profileId = noted.ProfileId;
        }
    }

    private async Task<string?> ResolveAsync(string key) =>
        cache.TryGet(key, out var remembered) ? remembered : await grains.GetGrain<IIdentifierGrain>(key).GetProfile();

    private Task<string> ClaimAsync(string key, string profileId) => grains.GetGrain<IIdentifierGrain>(key).GetOrAssignProfile(profileId);

    /// <summary>
    /// Gives back identifiers a profile refused: limits only ever tighten, so the profile (and the one the
    /// identifier pointed at, merged into it) will never hold them, and pointing there would lie to lookups.
    /// </summary>
    private Task ReleaseAsync(string[] notHeld, Func<string, string> pointedAt, string profileId) =>
        Task.WhenAll(notHeld.Select(key =>
        {
            cache.Forget(key);
            return grains.GetGrain<IIdentifierGrain>(key).Release([pointedAt(key), profileId]);
        }));

    /// <summary>Points the identifiers the profile now holds straight at it, in this node's cache and in their
    /// grains, so later touchpoints and lookups skip the forwarding hops.</summary>
    private void Remember(IEnumerable<Touchpoint> landed, string[] notHeld, Dictionary<string, string>? profileOfKey, string profileId)
    {
        foreach (var key in landed.SelectMany(t => t.Identifiers).Select(i => i.Key).Except(notHeld))
        {
            cache.Remember(key, profileId);
            if (profileOfKey is not null && profileOfKey.TryGetValue(key, out var pointedAt) && pointedAt == profileId) continue;
            grains.GetGrain<IIdentifierGrain>(key).PointTo(profileId).Ignore();
        }
    }
}

/// <param name="Refused">Links identity rules did not make for this touchpoint.</param>
/// <param name="Error">Set when identity rules leave the touchpoint nowhere to go: it is rejected.</param>
public sealed record IngestOutcome(string ProfileId, bool IsNew, RefusedLink[] Refused, string? Error);
