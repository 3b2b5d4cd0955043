using System.Diagnostics;
using Profiles.Core.Profiles;
using Profiles.Core.Resolution;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Calls;
using Profiles.Grains.Identity;

namespace Profiles.Grains.Resolution;

/// <summary>
/// Where validated touchpoints enter the grains and identifiers are resolved. For a batch it resolves every
/// identifier once, groups the touchpoints whose identifiers connect, unites each group's profiles into the
/// smallest id, and applies each group to its surviving profile in one call. When identity rules could refuse a
/// link, the group's touchpoints are linked one by one in arrival order instead, so the outcome is the one
/// sequential arrival gives. A refusal that link order cannot vouch for then has the component resolved again
/// (<see cref="ComponentResolver"/>), so the profiles are the canonical partition of every touchpoint accepted.
/// It is not a grain: it only calls grains, so it cannot be part of a call cycle. Every profile call of one ingest
/// shares one <see cref="CallBudget"/>.
/// </summary>
public sealed class TouchpointIngestor(IGrainFactory grains, ProfileCalls calls, IdentifierCache cache, IIdentifierPointers pointers, IdentityRules rules,
    ComponentResolver resolver, TimeProvider time)
{
    private readonly LinkOrder _linkOrder = new(rules);

    /// <summary>Per touchpoint, in order: the profile it landed on, whether it was new, and refused links.</summary>
    /// <exception cref="CallBudgetSpentException">The touchpoints' profiles kept changing under them (answered 503:
    /// a retry answers duplicate for those stored).</exception>
    public async Task<IngestOutcome[]> IngestAsync(IReadOnlyList<Touchpoint> touchpoints)
    {
        var outcomes = new IngestOutcome?[touchpoints.Count];
        var pending = Enumerable.Range(0, touchpoints.Count).ToList();
        var unlinkedTogether = new List<int>();
        var budget = calls.StartBudget();
        var claims = new OwnClaims();
        var heldBack = false;
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var batch = pending.Select(i => touchpoints[i]).ToList();
            if (attempt > 1)
            {
                budget.ThrowIfSpent("The touchpoints' profiles kept changing under them (erasures, resolutions or competing links)");
                // Whatever the cause, what this node remembered of these identifiers is out of date (see StartAgain).
                foreach (var key in batch.SelectMany(t => t.Identifiers).Select(i => i.Key)) cache.Forget(key);
                if (heldBack) await budget.PauseAsync(attempt);
            }
            claims.NextAttempt();
            var attempts = await LandAsync(batch, claims, budget);
            heldBack = false;
            for (var k = 0; k < attempts.Length; k++)
            {
                if (attempts[k] is StartAgain { Because: StartAgain.Cause.ProfileHeld }) heldBack = true;
                if (attempts[k] is not Landed landed) continue;
                outcomes[pending[k]] = landed.Outcome;
                if (landed.HoldsUnlinkedPair) unlinkedTogether.Add(pending[k]);
            }
            pending = [.. pending.Where(i => outcomes[i] is null)];
        }
        return await ResolveWhereRefusalsNeedItAsync(touchpoints, outcomes!, unlinkedTogether, budget);
    }

    /// <summary>
    /// A refused link can be trusted when every link made in both profiles comes before it in link order: the
    /// profiles were whole when it came. Otherwise (a stronger link after a weaker one it contradicts, or an older
    /// touchpoint arriving late) the components concerned are resolved again, and the touchpoints they moved answer
    /// with their anchor's profile as it now is. So is a profile that now holds both ends of an operator's unlink.
    /// </summary>
    /// <param name="unlinkedTogether">The touchpoints that landed on a profile holding both ends of an unlink.</param>
    private async Task<IngestOutcome[]> ResolveWhereRefusalsNeedItAsync(IReadOnlyList<Touchpoint> touchpoints, IngestOutcome[] outcomes, List<int> unlinkedTogether,
        CallBudget budget)
    {
        var seeds = unlinkedTogether.Select(i => outcomes[i].ProfileId).ToHashSet(StringComparer.Ordinal);
        var settling = unlinkedTogether.Select(i => touchpoints[i].Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < touchpoints.Count; i++)
        {
            foreach (var other in await UnmadeLinksAsync(touchpoints[i], outcomes[i]))
            {
                var link = new IdentityLink(touchpoints[i].Id, touchpoints[i].OccurredAt, touchpoints[i].Identifiers[0], other);
                var otherSide = await ResolveAsync(other.Key);
                if (await AllMadeBeforeAsync(outcomes[i].ProfileId, link, budget) && (otherSide is null || await AllMadeBeforeAsync(otherSide, link, budget))) continue;
                seeds.Add(outcomes[i].ProfileId);
                settling.Add(touchpoints[i].Id);
                if (otherSide is not null) seeds.Add(otherSide);
            }
        }
        if (seeds.Count == 0) return outcomes;
        var moved = (await resolver.ResolveAsync(seeds, settling, budget)).ProfileIds.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < touchpoints.Count; i++)
        {
            if (moved.Contains(outcomes[i].ProfileId)) outcomes[i] = outcomes[i] with { ProfileId = await ProfileOfAnchorAsync(touchpoints[i], budget) };
        }
        return outcomes;
    }

    /// <summary>The other ends of a landed touchpoint's links that are not made. For a new touchpoint, those it was
    /// refused. A duplicate (a batch sent again after an answer was lost, possibly before its refusals were checked)
    /// is answered with no refusals, so its identifiers that lead elsewhere are checked again.</summary>
    private async Task<IEnumerable<IdentifierRef>> UnmadeLinksAsync(Touchpoint touchpoint, IngestOutcome outcome)
    {
        if (outcome.IsNew)
        {
            return outcome.Refused.Where(r => r.TouchpointId == touchpoint.Id).Select(r => new IdentifierRef(r.Type, r.Key, r.Hint, false));
        }
        var elsewhere = new List<IdentifierRef>();
        foreach (var identifier in touchpoint.Identifiers.Skip(1))
        {
            if (await ResolveAsync(identifier.Key) is { } profileId && profileId != outcome.ProfileId) elsewhere.Add(identifier);
        }
        return elsewhere;
    }

    private async Task<bool> AllMadeBeforeAsync(string profileId, IdentityLink link, CallBudget budget)
    {
        var lastLinks = await calls.CallAsync(profileId, (IProfileResolutionTarget profile) => profile.GetLastLinks(), budget);
        return lastLinks.IsDone && _linkOrder.AllMadeBefore(lastLinks.Result, link);
    }

    private async Task<string> ProfileOfAnchorAsync(Touchpoint touchpoint, CallBudget budget)
    {
        var anchorKey = touchpoint.Identifiers[0].Key;
        cache.Forget(anchorKey);
        var pointedAt = await grains.ByKey<IIdentifierGrain>(anchorKey).GetProfile() ?? throw new InvalidOperationException("A resolution left a touchpoint's anchor in no profile.");
        return (await calls.CallAsync(pointedAt, (IProfileRead profile) => profile.Get(), budget)).ProfileId;
    }

    /// <summary>Lands what it can; the others start again (see <see cref="StartAgain"/>).</summary>
    private async Task<LandingAttempt[]> LandAsync(List<Touchpoint> touchpoints, OwnClaims claims, CallBudget budget)
    {
        var profileOfKey = await ResolveIdentifiersAsync(touchpoints, claims);
        var connected = Connect(touchpoints, key => profileOfKey[key]);
        var attempts = new LandingAttempt[touchpoints.Count];
        var groups = Enumerable.Range(0, touchpoints.Count).GroupBy(i => connected.Find(profileOfKey[touchpoints[i].Identifiers[0].Key]));
        await Task.WhenAll(groups.Select(async group =>
        {
            int[] indices = [.. group];
            var landed = await LandGroupAsync([.. indices.Select(i => touchpoints[i])], profileOfKey, claims, budget);
            for (var k = 0; k < indices.Length; k++) attempts[indices[k]] = landed[k];
        }));
        return attempts;
    }

    /// <remarks>The calls of a landing follow forwards but wait out no hold (<see cref="ProfileCalls.FollowAsync{TRole, TReply}"/>):
    /// the group's pointers were read before the hold, and the resolution may move them, so a held profile starts the
    /// touchpoints again from their identifiers once it is released.</remarks>
    private async Task<LandingAttempt[]> LandGroupAsync(List<Touchpoint> group, Dictionary<string, string> profileOfKey, OwnClaims claims, CallBudget budget)
    {
        var members = group.SelectMany(t => t.Identifiers).Select(id => profileOfKey[id.Key]).ToHashSet(StringComparer.Ordinal);
        if (members.Count > 1)
        {
            var leftBehind = group.SelectMany(t => t.Identifiers).Select(i => i.Key).Where(claims.MadeEarlier).Distinct(StringComparer.Ordinal);
            if (await LetGoOfStaleClaimsAsync(leftBehind, key => profileOfKey[key], budget)) return [.. group.Select(_ => StartAgain.PointersStale)];
        }
        var united = members.Count == 1 ? ProfileReply.Done(members.First()) : await UniteBatchAsync(members, group, budget);
        switch (united.Kind)
        {
            case ProfileReplyKind.Erased:
                return await StartAgainAfterErasureAsync(united.ProfileId, group);
            case ProfileReplyKind.Refused:
                return await LinkOneByOneAsync(group, claims, budget);
            case ProfileReplyKind.Retry:
                return [.. group.Select(_ => StartAgain.After(united))];
        }

        var applied = await calls.FollowAsync(united.ProfileId, (IProfileIngest profile) => profile.Apply(group.AsImmutable()), budget);
        if (applied.Kind == ProfileReplyKind.Retry) return [.. group.Select(_ => StartAgain.After(applied))];
        if (!applied.IsDone) return await StartAgainAfterErasureAsync(applied.ProfileId, group);
        var (profileId, result) = (applied.ProfileId, applied.Result);
        await ReleaseAsync(result.NotHeld, key => profileOfKey[key], profileId, budget);
        Remember(group, result.NotHeld, profileOfKey, profileId);
        var attempts = new LandingAttempt[group.Count];
        for (var k = 0; k < group.Count; k++)
        {
            attempts[k] = result.Landings[k] == Landing.Rerouted
                ? await LinkOneAsync(group[k], claims, budget)
                : new Landed(new IngestOutcome(profileId, result.Landings[k] == Landing.New, result.Refused[k]), result.HoldsUnlinkedPair);
        }
        return attempts;
    }

    private async Task<LandingAttempt[]> LinkOneByOneAsync(List<Touchpoint> group, OwnClaims claims, CallBudget budget)
    {
        var attempts = new LandingAttempt[group.Count];
        for (var k = 0; k < group.Count; k++) attempts[k] = await LinkOneAsync(group[k], claims, budget);
        return attempts;
    }

    /// <summary>
    /// Unites a batch group's profiles, or answers Refused when the group must be linked touchpoint by touchpoint:
    /// when together they would break a limit (foreseen from each profile's limited identifiers), or when a merge
    /// was refused all the same because another writer got there first.
    /// </summary>
    private async Task<ProfileReply> UniteBatchAsync(HashSet<string> members, List<Touchpoint> group, CallBudget budget)
    {
        if (rules.LimitedTypes.Count > 0)
        {
            var held = await Task.WhenAll(members.Select(member => calls.FollowAsync(member, (IProfileIngest profile) => profile.GetLimitedKeys(), budget)));
            if (held.FirstOrDefault(reply => !reply.IsDone) is { } unavailable) return unavailable;
            var together = new LimitCheck(rules).Including(group.SelectMany(t => t.Identifiers));
            foreach (var reply in held) together.Including(reply.Result);
            if (!together.Fits) return ProfileReply.Refused(members.Min(StringComparer.Ordinal)!);
        }
        return await UniteAsync(members, [.. group.SelectMany(t => t.Identifiers)], budget);
    }

    /// <summary>
    /// Links one touchpoint as identity rules say: it goes to the profile of its strongest identifier, and each
    /// other identifier joins that profile unless the merge would break a limit, in which case the link is
    /// refused and noted on both profiles.
    /// </summary>
    private async Task<LandingAttempt> LinkOneAsync(Touchpoint touchpoint, OwnClaims claims, CallBudget budget)
    {
        var anchor = touchpoint.Identifiers[0];
        var root = await ResolveAsync(anchor.Key) ?? await ClaimAsync(anchor.Key, ProfileId.New(time), claims);
        var pointedAt = new Dictionary<string, string>(StringComparer.Ordinal) { [anchor.Key] = root };
        var kept = new List<IdentifierRef> { anchor };
        var refused = new List<RefusedLink>();
        var otherSides = new List<string>();
        foreach (var identifier in touchpoint.Identifiers.Skip(1))
        {
            var profile = await ResolveAsync(identifier.Key) ?? await ClaimAsync(identifier.Key, root, claims);
            // Claimed by this ingest for where the batch was going: the touchpoint goes elsewhere now.
            if (profile != root && claims.Made(identifier.Key) && await LetGoOfStaleClaimsAsync([identifier.Key], _ => profile, budget))
            {
                profile = await ClaimAsync(identifier.Key, root, claims);
            }
            pointedAt[identifier.Key] = profile;
            var united = profile == root ? ProfileReply.Done(root) : await UniteAsync([root, profile], [.. kept, identifier], budget);
            switch (united.Kind)
            {
                case ProfileReplyKind.Retry:
                    return StartAgain.After(united);
                case ProfileReplyKind.Erased:
                    return (await StartAgainAfterErasureAsync(united.ProfileId, [touchpoint]))[0];
                case ProfileReplyKind.Refused:
                    refused.Add(RefusedLink.OverLimit(identifier, touchpoint));
                    otherSides.Add(profile);
                    continue;
            }
            root = united.ProfileId;
            kept.Add(identifier);
        }

        var linked = touchpoint with { Identifiers = kept, RefusedLinks = [.. touchpoint.RefusedLinks, .. refused] };
        var applied = await calls.FollowAsync(root, (IProfileIngest profile) => profile.Apply(new List<Touchpoint> { linked }.AsImmutable()), budget);
        if (applied.Kind == ProfileReplyKind.Retry) return StartAgain.After(applied);
        if (!applied.IsDone) return (await StartAgainAfterErasureAsync(applied.ProfileId, [linked]))[0];
        var (profileId, result) = (applied.ProfileId, applied.Result);
        await ReleaseAsync(result.NotHeld, key => pointedAt[key], profileId, budget);
        // Another writer's touchpoint took the anchor's place first; with it released, start again.
        if (result.Landings[0] == Landing.Rerouted) return StartAgain.AnchorTakenElsewhere;
        Remember([linked], result.NotHeld, pointedAt, profileId);
        // Noted on the other side too, so a later resolution finds the component from either side; a profile held by a
        // resolution takes the note once released.
        var noted = RefusedLink.OverLimit(anchor, touchpoint).AsImmutable();
        await Task.WhenAll(otherSides.Distinct().Select(other => calls.CallAsync(other, (IProfileIngest profile) => profile.RecordRefusedLink(noted), budget)));
        return new Landed(new IngestOutcome(profileId, result.Landings[0] == Landing.New, [.. refused, .. result.Refused[0]]), result.HoldsUnlinkedPair);
    }

    /// <summary>
    /// The profile of every identifier of the batch. Known identifiers answer from this node's cache or from one read
    /// of their pointers together (<see cref="IIdentifierPointers"/>), with no grain activated; identifiers seen for the
    /// first time then join the profile their touchpoint goes to (the smallest known profile it connects to, or one new
    /// profile per group), so a first sighting costs no merge. Only these claims activate identifier grains, all at
    /// once, and their reads and writes leave together in the shards' read rounds and group commits.
    /// </summary>
    /// <param name="touchpoints">The batch.</param>
    /// <param name="claims">Gets the identifiers claimed here.</param>
    private async Task<Dictionary<string, string>> ResolveIdentifiersAsync(IReadOnlyList<Touchpoint> touchpoints, OwnClaims claims)
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
        var known = await pointers.ReadAsync(uncached);
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
        var assigned = await Task.WhenAll(unknown.Select((key, i) => ClaimAsync(key, proposed[i], claims)));
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
    /// Merges the profiles into one and answers done at it. Each round merges every other profile into the
    /// smallest; one that was merged away meanwhile answers where it went, and that profile joins the next round.
    /// Stops at the first merge a limit refuses, at an erased profile, or at a retry (a held profile, or a survivor a
    /// resolution re-pointed): the group's pointers must be read again.
    /// </summary>
    /// <remarks>Not <see cref="ProfileCalls"/>: every loser must go to the one smallest survivor, so a forwarded loser's
    /// root joins the round instead of being called where it leads. Built on the same pieces: each loser's chain of
    /// forwards is a <see cref="ForwardTrail"/>, and rounds end, absent changes racing them, because every chain heads
    /// for a root of a forest; merges and resolutions racing them are bounded by the budget.</remarks>
    /// <param name="profiles">The profiles to unite.</param>
    /// <param name="arriving">The identifiers the touchpoints behind the merge bring: the limits count them too.</param>
    /// <param name="budget">The ingest's budget.</param>
    private async Task<ProfileReply> UniteAsync(HashSet<string> profiles, IdentifierRef[] arriving, CallBudget budget)
    {
        var bringing = arriving.AsImmutable();
        // The chain of forwards each member was reached by: chains may meet, but none comes back to an id it went through.
        var chains = new Dictionary<string, ForwardTrail>(StringComparer.Ordinal);
        while (true)
        {
            var survivor = profiles.Min(StringComparer.Ordinal)!;
            string[] losers = [.. profiles.Where(p => p != survivor)];
            if (losers.Length == 0) return ProfileReply.Done(survivor);
            var replies = await Task.WhenAll(losers.Select(p => grains.ByKey<IProfileMerge>(p).MergeInto(survivor, bringing)));
            if (replies.FirstOrDefault(r => r.Kind is ProfileReplyKind.Erased or ProfileReplyKind.Refused or ProfileReplyKind.Retry) is { } stop) return stop;
            if (replies.All(r => r.IsDone)) return ProfileReply.Done(replies.Select(r => r.ProfileId).Min(StringComparer.Ordinal)!);
            foreach (var (loser, forwarded) in losers.Zip(replies).Where(answer => answer.Second.Kind == ProfileReplyKind.Forwarded))
            {
                var chain = chains.Remove(loser, out var before) ? before : new ForwardTrail();
                chains[chain.Follow(loser, forwarded.ProfileId)] = chain;
            }
            profiles = replies.Select(r => r.ProfileId).Append(survivor).ToHashSet(StringComparer.Ordinal);
            budget.ThrowIfSpent("The profiles a touchpoint links kept being merged or resolved");
        }
    }

    /// <summary>
    /// A profile on the way was erased. The eraser forgets every identifier that pointed into the erased customer,
    /// but one of these identifiers may have been given that profile by a writer that read another identifier
    /// before the eraser reached it; such a link is forgotten here, or the touchpoints would meet the erased
    /// profile again at every attempt.
    /// </summary>
    private async Task<LandingAttempt[]> StartAgainAfterErasureAsync(string erasedProfileId, List<Touchpoint> touchpoints)
    {
        string[] erased = [erasedProfileId];
        await Task.WhenAll(touchpoints.SelectMany(t => t.Identifiers).Select(i => i.Key).Distinct().Select(key =>
        {
            cache.Forget(key);
            return grains.ByKey<IIdentifierGrain>(key).Erase(erased);
        }));
        return [.. touchpoints.Select(_ => StartAgain.ProfileErased)];
    }

    /// <summary>Lets go of this ingest's own claims at profiles that do not hold their identifier (see
    /// <see cref="IProfileIngest.LetGoOfUnheld"/>), so that they are claimed afresh; true when any was let go. Another
    /// writer's claim is left alone: its touchpoint may be on its way there.</summary>
    private async Task<bool> LetGoOfStaleClaimsAsync(IEnumerable<string> keys, Func<string, string> pointedAt, CallBudget budget)
    {
        var replies = await Task.WhenAll(keys.GroupBy(pointedAt, StringComparer.Ordinal)
            .Select(pointing => calls.FollowAsync(pointing.Key, (IProfileIngest profile) => profile.LetGoOfUnheld([.. pointing], pointing.Key), budget)));
        var letGo = replies.Where(reply => reply.IsDone).SelectMany(reply => reply.Result).ToArray();
        foreach (var key in letGo) cache.Forget(key);
        return letGo.Length > 0;
    }

    private async Task<string?> ResolveAsync(string key) =>
        cache.TryGet(key, out var remembered) ? remembered : (await pointers.ReadAsync([key]))[0];

    private async Task<string> ClaimAsync(string key, string profileId, OwnClaims claims)
    {
        var assigned = await grains.ByKey<IIdentifierGrain>(key).GetOrAssignProfile(profileId);
        if (assigned == profileId) claims.Add(key);
        return assigned;
    }

    /// <summary>
    /// Gives back identifiers a profile refused: limits only ever tighten, so the profile (and the one the
    /// identifier pointed at, merged into it) will never hold them, and pointing there would lie to lookups. The
    /// profile lets go of them itself (<see cref="IProfileIngest.LetGoOfUnheld"/>): another writer that read the same
    /// pointer may be on its way there with one of them, and must start again rather than land it on a profile the
    /// identifier no longer points at.
    /// </summary>
    private async Task ReleaseAsync(string[] notHeld, Func<string, string> pointedAt, string profileId, CallBudget budget)
    {
        foreach (var key in notHeld) cache.Forget(key);
        await Task.WhenAll(notHeld.GroupBy(pointedAt, StringComparer.Ordinal)
            .Select(pointing => calls.FollowAsync(profileId, (IProfileIngest profile) => profile.LetGoOfUnheld([.. pointing], pointing.Key), budget)));
    }

    /// <summary>Points the identifiers the profile now holds straight at it, in this node's cache and in their
    /// grains, so later touchpoints and lookups skip the forwarding hops.</summary>
    /// <param name="landed">The touchpoints that landed on <paramref name="profileId"/>.</param>
    /// <param name="notHeld">Their identifiers the profile does not hold.</param>
    /// <param name="pointedAt">Where each identifier's grain pointed when it was read.</param>
    /// <param name="profileId">The profile.</param>
    private void Remember(IEnumerable<Touchpoint> landed, string[] notHeld, Dictionary<string, string> pointedAt, string profileId)
    {
        foreach (var key in landed.SelectMany(t => t.Identifiers).Select(i => i.Key).Except(notHeld))
        {
            cache.Remember(key, profileId);
            if (pointedAt.TryGetValue(key, out var from) && from != profileId) grains.ByKey<IIdentifierGrain>(key).PointTo(from, profileId).Ignore();
        }
    }
}

/// <param name="ProfileId">The surviving profile the touchpoint landed on.</param>
/// <param name="IsNew">False when its id was stored before: a duplicate.</param>
/// <param name="Refused">Links identity rules did not make for this touchpoint.</param>
public sealed record IngestOutcome(string ProfileId, bool IsNew, RefusedLink[] Refused);

/// <summary>What one try at landing a touchpoint came to: <see cref="Landed"/>, or <see cref="StartAgain"/>.</summary>
public abstract record LandingAttempt;

/// <summary>The touchpoint landed (or was a duplicate).</summary>
/// <param name="HoldsUnlinkedPair">The profile it landed on holds both ends of a standing unlink: a touchpoint named
/// both, and the merge must be undone by resolving the component again.</param>
public sealed record Landed(IngestOutcome Outcome, bool HoldsUnlinkedPair = false) : LandingAttempt;

/// <summary>The touchpoint did not land and must be resolved again from its identifiers' grains: what this node
/// remembered of them is out of date, whatever the cause. Only a hold is waited for before starting again; every
/// other cause has already changed what the identifiers' grains answer.</summary>
public sealed record StartAgain(StartAgain.Cause Because) : LandingAttempt
{
    public enum Cause
    {
        /// <summary>A profile on the way was erased (<see cref="ProfileReplyKind.Erased"/>).</summary>
        ProfileErased,

        /// <summary>Another writer's touchpoint took the anchor's profile first, and a limit now keeps this one out.</summary>
        AnchorTakenElsewhere,

        /// <summary>A resolution holds a profile on the way (<see cref="RetryCause.Held"/>) and may move the touchpoints'
        /// identifiers: wait for it to release the profile, then read where they live.</summary>
        ProfileHeld,

        /// <summary>Where the writer read an identifier lives is out of date: a resolution moved it, it was let go
        /// (<see cref="RetryCause.StalePointer"/>, or a claim of this ingest's own), or the survivor it read was
        /// re-pointed to a larger id (<see cref="RetryCause.WouldCallLarger"/>).</summary>
        PointersStale,
    }

    public static readonly StartAgain ProfileErased = new(Cause.ProfileErased);

    public static readonly StartAgain AnchorTakenElsewhere = new(Cause.AnchorTakenElsewhere);

    public static readonly StartAgain ProfileHeld = new(Cause.ProfileHeld);

    public static readonly StartAgain PointersStale = new(Cause.PointersStale);

    /// <summary>The start again a retry reply asks for.</summary>
    public static StartAgain After(ProfileReply retry) => retry.Because switch
    {
        RetryCause.Held => ProfileHeld,
        RetryCause.StalePointer or RetryCause.WouldCallLarger => PointersStale,
        _ => throw new UnreachableException($"Profile {retry.ProfileId} answered {retry.Kind} ({retry.Because}), which ProfileCalls handles itself."),
    };
}

/// <summary>
/// The first sightings one ingest claimed, over all its attempts. A claim whose touchpoint then went elsewhere (its
/// profile was held by a resolution that split it, or a limit turned the batch into one-by-one links) is left
/// pointing at a profile that never held the identifier, and only its maker knows that it is not another writer's
/// touchpoint on its way there. Groups of one batch land in parallel, hence the lock.
/// </summary>
internal sealed class OwnClaims
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _made = new(StringComparer.Ordinal);
    private HashSet<string> _thisAttempt = new(StringComparer.Ordinal);

    public void NextAttempt()
    {
        lock (_lock) _thisAttempt = new HashSet<string>(StringComparer.Ordinal);
    }

    public void Add(string key)
    {
        lock (_lock)
        {
            _made.Add(key);
            _thisAttempt.Add(key);
        }
    }

    public bool Made(string key)
    {
        lock (_lock) return _made.Contains(key);
    }

    /// <summary>Claimed by an earlier attempt of this ingest; this attempt's claims point where their group goes.</summary>
    public bool MadeEarlier(string key)
    {
        lock (_lock) return _made.Contains(key) && !_thisAttempt.Contains(key);
    }
}
