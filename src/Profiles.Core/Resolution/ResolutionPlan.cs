using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Resolution;

/// <summary>A profile id of a component before it is resolved again: a surviving profile, or one merged away
/// earlier, with the strongest identifier it held (null when no longer known).</summary>
public sealed record ProfileBefore(string ProfileId, string? StrongestKey, bool IsRoot);

/// <summary>One profile of a component after resolution: its identifiers, its touchpoints as it holds them (links
/// to identifiers of other profiles moved to each touchpoint's refused links), its content, and the ids that now
/// answer with it.</summary>
public sealed record PlannedProfile(
    string ProfileId,
    string StrongestKey,
    IReadOnlyList<IdentifierRef> Identifiers,
    IReadOnlyList<Touchpoint> Touchpoints,
    ProfileContent Content,
    IReadOnlyList<string> MergedProfileIds)
{
    /// <summary>The removed content of the anchors it holds (<see cref="Profiles.RemovedContent"/>), folded into
    /// <see cref="Content"/> and kept with its journey.</summary>
    public IReadOnlyList<RemovedContent> Removed { get; init; } = [];
}

/// <summary>A touchpoint of a component, and the surviving profile that held it before resolution.</summary>
public sealed record HeldTouchpoint(Touchpoint Touchpoint, string HeldBy);

/// <summary>A surviving profile that gave touchpoints to other profiles: new ones, or others of the component.</summary>
public sealed record PlannedSplit(string ProfileId, IReadOnlyList<string> SplitProfileIds);

/// <summary>
/// What resolving a component again comes to: the canonical partition of its touchpoints, turned into profiles.
/// A profile keeps its id on the part holding its strongest identifier; parts holding none get new ids; when
/// one part holds the strongest identifiers of several profiles, the smallest id survives and the others are
/// merged into it; every id ever returned (merged-away ones included) answers with the part holding its
/// strongest identifier. A pure function of its inputs, so a resolution cut short by a crash plans the same again.
/// </summary>
public sealed class ResolutionPlan
{
    private ResolutionPlan(IReadOnlyList<PlannedProfile> profiles, IReadOnlyDictionary<string, string> forwardTo,
        IReadOnlyList<PlannedSplit> splits, IReadOnlyList<string> unheld)
    {
        Profiles = profiles;
        ForwardTo = forwardTo;
        Splits = splits;
        Unheld = unheld;
    }

    public IReadOnlyList<PlannedProfile> Profiles { get; }

    /// <summary>Every id of the component that is no longer a profile of its own, to the profile it answers with.</summary>
    public IReadOnlyDictionary<string, string> ForwardTo { get; }

    public IReadOnlyList<PlannedSplit> Splits { get; }

    /// <summary>Identifier keys no profile holds any more: every link to them was refused and no touchpoint is
    /// anchored at them, so they are unknown again.</summary>
    public IReadOnlyList<string> Unheld { get; }

    /// <param name="touchpoints">Every touchpoint of the component, once each, operator entries included, with the
    /// surviving profile that held it.</param>
    /// <param name="before">Every profile id of the component: surviving and merged away.</param>
    /// <param name="rules">The identity rules.</param>
    /// <param name="newProfileId">A new id for a part, from its strongest identifier key; the same key must give the
    /// same id, so that planning again after a crash names the parts alike.</param>
    /// <param name="computed">The computed traits each part's content folds.</param>
    /// <param name="removed">The component's removed content, once each: the figures of touchpoints whose content
    /// retention removed (the touchpoints themselves are among <paramref name="touchpoints"/>, links only).</param>
    public static ResolutionPlan Make(IReadOnlyCollection<HeldTouchpoint> touchpoints, IReadOnlyList<ProfileBefore> before, IdentityRules rules,
        Func<string, string> newProfileId, Personalisation.ComputedTraits? computed = null, IReadOnlyCollection<RemovedContent>? removed = null)
    {
        var partition = new CanonicalResolver(rules).Resolve([.. touchpoints.Select(t => t.Touchpoint)]);
        var refused = partition.Refused.ToDictionary(r => (r.Link.TouchpointId, r.Link.Other.Key), r => r.Reason);
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        foreach (var identifiers in partition.Groups) groups[identifiers[0].Key] = new Group(identifiers);
        foreach (var (touchpoint, heldBy) in touchpoints)
        {
            var arrived = IdentityLink.ArrivedIdentifiers(touchpoint, rules);
            if (arrived.Count == 0 || !groups.TryGetValue(partition.GroupOf(arrived[0].Key), out var group)) continue;
            group.Touchpoints.Add(AsHeld(touchpoint, arrived, partition, refused));
            group.HeldBefore[heldBy] = group.HeldBefore.GetValueOrDefault(heldBy) + 1;
        }
        // Removed content goes with its anchor, as its touchpoints do.
        foreach (var entry in removed ?? [])
        {
            if (partition.Knows(entry.AnchorKey)) groups[partition.GroupOf(entry.AnchorKey)].Removed.Add(entry);
        }
        foreach (var link in partition.Refused)
        {
            groups[partition.GroupOf(link.Link.Other.Key)].OtherSide.Add(
                new RefusedLink(link.Link.Anchor.Type, link.Link.Anchor.Key, link.Link.Anchor.Hint, link.Reason, link.Link.TouchpointId, link.Link.OccurredAt));
        }
        var held = groups.Values.Where(g => g.Touchpoints.Count > 0 || g.Removed.Count > 0).ToList();
        var unheld = groups.Values.Where(g => g.Touchpoints.Count == 0 && g.Removed.Count == 0).SelectMany(g => g.Identifiers).Select(i => i.Key).Order(StringComparer.Ordinal).ToList();

        // Each surviving profile is claimed by the part holding its strongest identifier; the smallest claim names the part.
        var partOf = held.SelectMany(g => g.Identifiers.Select(i => (i.Key, Group: g))).ToDictionary(e => e.Key, e => e.Group, StringComparer.Ordinal);
        foreach (var root in before.Where(b => b.IsRoot && b.StrongestKey is not null && partOf.ContainsKey(b.StrongestKey)))
        {
            partOf[root.StrongestKey!].Claimed.Add(root.ProfileId);
        }
        foreach (var group in held) group.Id = group.Claimed.Count > 0 ? group.Claimed.Min(StringComparer.Ordinal)! : newProfileId(group.Identifiers[0].Key);

        var answerWith = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in held)
        {
            foreach (var claimed in group.Claimed) answerWith[claimed] = group.Id!;
        }
        // A surviving profile whose strongest identifier no part holds any more answers with the part that took most
        // of its touchpoints.
        foreach (var root in before.Where(b => b.IsRoot && !answerWith.ContainsKey(b.ProfileId)))
        {
            answerWith[root.ProfileId] = held.OrderByDescending(g => g.HeldBefore.GetValueOrDefault(root.ProfileId)).ThenBy(g => g.Id, StringComparer.Ordinal).First().Id!;
        }
        foreach (var merged in before.Where(b => !b.IsRoot))
        {
            answerWith[merged.ProfileId] = merged.StrongestKey is { } key && partOf.TryGetValue(key, out var group)
                ? group.Id!
                : answerWith.Values.Min(StringComparer.Ordinal)!;
        }
        var forwardTo = answerWith.Where(a => a.Key != a.Value).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);

        var splits = held.Where(g => g.Claimed.Contains(g.Id!))
            .Select(g => new PlannedSplit(g.Id!, [.. held.Where(other => other != g && other.HeldBefore.ContainsKey(g.Id!)).Select(other => other.Id!).Order(StringComparer.Ordinal)]))
            .Where(split => split.SplitProfileIds.Count > 0)
            .OrderBy(split => split.ProfileId, StringComparer.Ordinal)
            .ToList();
        var profiles = held.Select(group => group.Plan(forwardTo, computed)).OrderBy(p => p.ProfileId, StringComparer.Ordinal).ToList();
        return new ResolutionPlan(profiles, forwardTo, splits, unheld);
    }

    /// <summary>The touchpoint as its profile holds it: identifiers of other parts moved to its refused links.</summary>
    private static Touchpoint AsHeld(Touchpoint touchpoint, IReadOnlyList<IdentifierRef> arrived, CanonicalPartition partition, Dictionary<(string, string), string> refused)
    {
        if (OperatorEntry.Is(touchpoint)) return touchpoint;
        var group = partition.GroupOf(arrived[0].Key);
        var kept = arrived.Where(i => partition.GroupOf(i.Key) == group).ToList();
        var outside = arrived.Where(i => partition.GroupOf(i.Key) != group)
            .Select(i => new RefusedLink(i.Type, i.Key, i.Hint, refused.GetValueOrDefault((touchpoint.Id, i.Key), RefusalReasons.Limit), touchpoint.Id, touchpoint.OccurredAt))
            .ToList();
        var notOwn = touchpoint.RefusedLinks.Where(r => r.TouchpointId != touchpoint.Id);
        return touchpoint with { Identifiers = kept, RefusedLinks = [.. notOwn, .. outside] };
    }

    private sealed class Group(IReadOnlyList<IdentifierRef> identifiers)
    {
        public IReadOnlyList<IdentifierRef> Identifiers { get; } = identifiers;
        public List<Touchpoint> Touchpoints { get; } = [];
        public List<RefusedLink> OtherSide { get; } = [];
        public List<RemovedContent> Removed { get; } = [];
        public HashSet<string> Claimed { get; } = new(StringComparer.Ordinal);

        /// <summary>How many of its touchpoints each surviving profile held before.</summary>
        public Dictionary<string, int> HeldBefore { get; } = new(StringComparer.Ordinal);

        public string? Id { get; set; }

        public PlannedProfile Plan(IReadOnlyDictionary<string, string> forwardTo, Personalisation.ComputedTraits? computed)
        {
            var content = new ProfileContent();
            foreach (var touchpoint in Touchpoints) content.Add(touchpoint, computed);
            foreach (var entry in Removed) content.Merge(entry.Content);
            foreach (var link in OtherSide) content.AddRefusedLink(link);
            var merged = forwardTo.Where(f => f.Value == Id).Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
            return new PlannedProfile(Id!, Identifiers[0].Key, Identifiers, [.. Touchpoints.OrderBy(t => t.OccurredAt.UtcTicks).ThenBy(t => t.Id, StringComparer.Ordinal)], content, merged)
            {
                Removed = [.. Removed.OrderBy(e => e.Name, StringComparer.Ordinal)],
            };
        }
    }
}
