using Microsoft.Extensions.Logging;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Resolution;
using Profiles.Core.Rules;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Calls;
using Profiles.Grains.Changes;
using Orleans.Placement;
using Profiles.Grains.Journey;
using Profiles.Grains.Writes;

namespace Profiles.Grains.Resolution;

/// <summary>
/// One resolution of a component (see <see cref="IResolutionGrain"/>). It only calls profile and identifier
/// grains, and they call it only one-way, so it adds no cycle to the call graph. Every step can be repeated: the
/// plan is a function of the component's touchpoints and of what the profiles were when they were held (kept in
/// this grain's state before anything is written), journeys are rewritten before states are installed, and a
/// profile is released last, so a crash at any point leaves held profiles that finish the work when they wake.
/// Placed on the node that asks for it, beside the writer that found the refusal.
/// </summary>
[PreferLocalPlacement]
public sealed class ResolutionGrain(
    [PersistentState("resolution", ProfilesStorage.Name)] IPersistentState<ResolutionState> state,
    ProfileCalls calls,
    IJourneyStore journeys,
    ProfileWriter writer,
    IdentityRules rules,
    Personalisation personalisation,
    IdentifierCache cache,
    TimeProvider time,
    ILogger<ResolutionGrain> logger) : Grain, IResolutionGrain
{
    private string Key => this.GetPrimaryKeyString();

    private ResolutionState Resolution => state.State;

    // What the resolution read and resolved, kept while the grain is active so that writers whose own resolution
    // gave way to this one learn whether this one settled their touchpoints.
    private ResolutionCoverage? _resolved;

    public async Task<ResolutionResult> Resolve(string[] seedProfileIds)
    {
        if (Resolution.StartedAt is null)
        {
            Resolution.Seeds = seedProfileIds;
            Resolution.StartedAt = time.GetUtcNow();
            await state.WriteStateAsync();
        }
        return await RunAsync();
    }

    public async Task<ResolutionCoverage> Covering(string[] touchpointIds)
    {
        if (Resolution.StartedAt is not null) await RunAsync();
        if (_resolved is not { } resolved) return new ResolutionCoverage([], []);
        var read = resolved.TouchpointIds.ToHashSet(StringComparer.Ordinal);
        return resolved with { TouchpointIds = [.. touchpointIds.Where(read.Contains)] };
    }

    public async Task Resume()
    {
        if (Resolution.StartedAt is not null) await RunAsync();
    }

    private async Task<ResolutionResult> RunAsync()
    {
        if (Resolution.Before is null && await HoldComponentAsync() is { } older)
        {
            await state.ClearStateAsync();
            return ResolutionResult.GaveWay(older);
        }
        var before = Resolution.Before!.ToDictionary(p => p.ProfileId, StringComparer.Ordinal);
        var (touchpoints, removed) = await ReadJourneysAsync(before);
        var plan = ResolutionPlan.Make(touchpoints, [.. before.Values.Select(p => new ProfileBefore(p.ProfileId, p.StrongestKey, p.IsRoot))], rules,
            key => ProfileId.Derived(Resolution.StartedAt!.Value, $"{Key}/{key}"), personalisation.Computed, removed);

        if (!plan.Profiles.All(p => Resolution.Journeys.Contains(p.ProfileId)))
        {
            // Recorded before any is written, so that a resolution resumed after a crash reads every journey it wrote.
            Resolution.Journeys.UnionWith(plan.Profiles.Select(p => p.ProfileId));
            await state.WriteStateAsync();
        }
        var planned = plan.Profiles.ToDictionary(p => p.ProfileId, StringComparer.Ordinal);
        var lengths = await Task.WhenAll(plan.Profiles.Select(p => writer.RewriteAsync(p.ProfileId, p.Touchpoints, p.Removed)));
        await Task.WhenAll(Resolution.Journeys.Where(id => !planned.ContainsKey(id)).Select(id => writer.RewriteAsync(id, [], [])));

        var groupOf = plan.Profiles.SelectMany(p => p.Identifiers.Select(i => (i.Key, p.ProfileId))).ToDictionary(e => e.Key, e => e.ProfileId, StringComparer.Ordinal);
        await Task.WhenAll(plan.Profiles.Select((p, i) => Profile(p.ProfileId).Install(Key, new ResolvedProfile(
            p.Content,
            [.. p.MergedProfileIds],
            p.MergedProfileIds.Where(id => before.TryGetValue(id, out var prior) && prior.StrongestKey is not null)
                .ToDictionary(id => id, id => before[id].StrongestKey!, StringComparer.Ordinal),
            lengths[i],
            MovedKeys.For(p, before, plan.ForwardTo, groupOf)).AsImmutable())));
        await Task.WhenAll(plan.ForwardTo.Select(forward => Profile(forward.Key).InstallForward(Key, forward.Value)));

        foreach (var key in groupOf.Keys.Concat(plan.Unheld)) cache.Forget(key);
        await Task.WhenAll(groupOf.Select(e => GrainFactory.ByKey<IIdentifierGrain>(e.Key).Reassign(e.Value)));
        await Task.WhenAll(plan.Unheld.Select(key => GrainFactory.ByKey<IIdentifierGrain>(key).Forget()));

        var at = time.GetUtcNow();
        var changes = plan.Profiles.ToDictionary(p => p.ProfileId, _ => new List<ProfileChange>(), StringComparer.Ordinal);
        foreach (var split in plan.Splits) changes[split.ProfileId].Add(ProfileChange.Split(split.ProfileId, split.SplitProfileIds, at));
        foreach (var (root, target) in plan.ForwardTo.Where(f => before.GetValueOrDefault(f.Key)?.IsRoot == true))
        {
            changes[target].Add(ProfileChange.Merged(target, root, at));
        }
        string[] involved = [.. Resolution.Held.Union(planned.Keys).Order(StringComparer.Ordinal)];
        await Task.WhenAll(involved.Select(id => Profile(id).ReleaseResolution(Key, (changes.GetValueOrDefault(id) ?? []).ToArray().AsImmutable())));

        logger.LogInformation("Resolved a component again: {Before} profiles held, {After} after, {Splits} split, {Touchpoints} touchpoints read",
            Resolution.Held.Count, plan.Profiles.Count, plan.Splits.Count, touchpoints.Count);
        await state.ClearStateAsync();
        string[] profileIds = [.. involved.Union(before.Keys).Order(StringComparer.Ordinal)];
        _resolved = new ResolutionCoverage([.. touchpoints.Select(t => t.Touchpoint.Id)], profileIds);
        return new ResolutionResult(profileIds);
    }

    /// <summary>Holds the seeds and every profile a refused link joins them to, transitively, and records what they
    /// were. Where a younger resolution holds one, it waits for it; where an older one does, it lets everything go
    /// and answers that one.</summary>
    /// <remarks>It follows forwards as every caller does (<see cref="ProfileCalls.FollowAsync{TRole, TReply}"/>), but
    /// waits out a hold its own way: only a younger resolution's, whose profiles it will need, and for one budget at
    /// most; then it gives way itself rather than fail, so that two resolutions never wait on each other. A younger
    /// resolution gives way at once when it meets the older, so only one rewriting a large component, or one that died
    /// with its node and must be woken, is waited for that long. Erased profiles have nothing to hold.</remarks>
    /// <returns>The older resolution it gave way to; null once it holds the whole component.</returns>
    private async Task<string?> HoldComponentAsync()
    {
        var views = new Dictionary<string, ResolutionView>(StringComparer.Ordinal);
        var queue = new Queue<string>(Resolution.Seeds.Concat(Resolution.Held));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // How long it waits for younger resolutions; each follow has a budget of its own, as it gives way, not fails.
        var patience = calls.StartBudget();
        var waits = 1;
        while (queue.TryDequeue(out var profileId))
        {
            if (!seen.Add(profileId)) continue;
            var reply = await calls.FollowAsync(profileId, (IProfileResolutionTarget profile) => profile.Freeze(Key), calls.StartBudget());
            if (reply.IsDone)
            {
                views[reply.ProfileId] = reply.Result;
                Resolution.Held.Add(reply.ProfileId);
                foreach (var key in reply.Result.RefusedOtherKeys)
                {
                    if (await GrainFactory.ByKey<IIdentifierGrain>(key).GetProfile() is { } other) queue.Enqueue(other);
                }
            }
            else if (reply.Because == RetryCause.Held)
            {
                if (await Profile(reply.ProfileId).HeldBy() is { } holder && holder != Key)
                {
                    if (ResolutionIds.IsOlder(holder, Key) || patience.IsSpent)
                    {
                        await Task.WhenAll(Resolution.Held.Select(id => Profile(id).ReleaseResolution(Key, Array.Empty<ProfileChange>().AsImmutable())));
                        return holder;
                    }
                    await patience.PauseAsync(++waits);
                }
                seen.Remove(profileId);
                queue.Enqueue(profileId);
            }
        }
        var before = new List<PriorProfile>();
        foreach (var view in views.Values)
        {
            before.Add(new PriorProfile(view.ProfileId, view.StrongestKey, view.ProfileId, view.HeldKeys));
            before.AddRange(view.MergedProfileIds.Select(merged => new PriorProfile(merged, view.MergedStrongest.GetValueOrDefault(merged), view.ProfileId, [])));
        }
        Resolution.Before = before;
        Resolution.Journeys.UnionWith(before.Select(p => p.ProfileId));
        await state.WriteStateAsync();
        return null;
    }

    /// <summary>Every touchpoint of the component's journeys, once, with the surviving profile that held it, and their
    /// removed content, each entry once: a resolution cut short may have written a touchpoint or an entry to its new
    /// journey and not yet dropped it from its old one. Each journey is read whole, not from its log, which a snapshot
    /// trims; it comes in no particular order, and none is needed: the plan is a function of the set (the canonical
    /// partition, then folds that are commutative), and a touchpoint held twice is taken from the first journey by
    /// id.</summary>
    private async Task<(List<HeldTouchpoint> Touchpoints, List<RemovedContent> Removed)> ReadJourneysAsync(Dictionary<string, PriorProfile> before)
    {
        string[] ids = [.. Resolution.Journeys.Order(StringComparer.Ordinal)];
        var read = await Task.WhenAll(ids.Select(journeys.ReadWholeAsync));
        var removedRead = await Task.WhenAll(ids.Select(journeys.RemovedContentAsync));
        var touchpoints = new Dictionary<string, HeldTouchpoint>(StringComparer.Ordinal);
        var removed = new Dictionary<string, RemovedContent>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            var heldBy = before.TryGetValue(ids[i], out var prior) ? prior.HeldBy : ids[i];
            foreach (var touchpoint in read[i]) touchpoints.TryAdd(touchpoint.Id, new HeldTouchpoint(touchpoint, heldBy));
            foreach (var entry in removedRead[i]) removed.TryAdd(entry.Name, entry);
        }
        return ([.. touchpoints.Values], [.. removed.Values]);
    }

    private IProfileResolutionTarget Profile(string profileId) => GrainFactory.ByKey<IProfileResolutionTarget>(profileId);
}

[GenerateSerializer, Alias("ResolutionState")]
public sealed class ResolutionState
{
    /// <summary>The profiles the resolution was asked about.</summary>
    [Id(0)] public string[] Seeds { get; set; } = [];

    [Id(1)] public DateTimeOffset? StartedAt { get; set; }

    /// <summary>The profiles it holds.</summary>
    [Id(2)] public HashSet<string> Held { get; set; } = new(StringComparer.Ordinal);

    /// <summary>What the component's profiles were when held; null until then.</summary>
    [Id(3)] public List<PriorProfile>? Before { get; set; }

    /// <summary>Every journey the resolution reads or writes.</summary>
    [Id(4)] public HashSet<string> Journeys { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A profile id of the component as it was: its strongest identifier, the surviving profile that held its
/// touchpoints (itself, or the profile it was merged into), and the identifiers a surviving one held.</summary>
[GenerateSerializer, Immutable, Alias("PriorProfile")]
public sealed record PriorProfile(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] string? StrongestKey,
    [property: Id(2)] string HeldBy,
    [property: Id(3)] string[] HeldKeys)
{
    public bool IsRoot => HeldBy == ProfileId;
}
