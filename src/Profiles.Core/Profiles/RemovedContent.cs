using Profiles.Core.Personalisation;
using Profiles.Core.Resolution;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Profiles;

/// <summary>
/// The figures of touchpoints whose content retention removed, folded per anchor identifier: counts, channels, first
/// and last seen, traits, computed traits and consent decisions, with no identifier or link (those stay with each touchpoint,
/// <see cref="Touchpoint.LinksOnly"/>). A touchpoint belongs to the profile of its anchor whatever the partition, so
/// when a resolution splits a component each part takes the removed content of the anchors it holds, and keeps its
/// counts. Each entry is named by its anchor and the smallest touchpoint id it covers, a name no other entry can
/// have: an entry copied to another journey by a resolution cut short is read once, as touchpoints are.
/// </summary>
/// <param name="AnchorKey">The anchor identifier of every touchpoint it covers.</param>
/// <param name="FirstTouchpointId">The smallest id (ordinal) of the touchpoints it covers.</param>
/// <param name="Content">Their figures, folded.</param>
public sealed record RemovedContent(string AnchorKey, string FirstTouchpointId, ProfileContent Content)
{
    /// <summary>How a store names the entry: the anchor key (hexadecimal, no colon), a colon, the touchpoint id.</summary>
    public string Name => $"{AnchorKey}:{FirstTouchpointId}";

    public static RemovedContent Named(string name, ProfileContent content)
    {
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return new RemovedContent(name[..colon], name[(colon + 1)..], content);
    }

    /// <summary>
    /// A journey's removed content once <paramref name="removed"/> are removed too: one entry per anchor, the
    /// journey's earlier entries of that anchor folded in. Operator entries carry no figure and are not folded.
    /// </summary>
    /// <returns>The entries to store, and the names of earlier entries they replace.</returns>
    public static (IReadOnlyList<RemovedContent> Entries, IReadOnlyList<string> Replaced) Fold(
        IReadOnlyList<RemovedContent> existing, IEnumerable<Touchpoint> removed, IdentityRules rules, ComputedTraits? computed)
    {
        var byAnchor = new Dictionary<string, (ProfileContent Content, string First)>(StringComparer.Ordinal);
        foreach (var touchpoint in removed)
        {
            if (OperatorEntry.Is(touchpoint) || touchpoint.ContentRemoved) continue;
            var anchor = IdentityLink.ArrivedIdentifiers(touchpoint, rules)[0].Key;
            var (content, first) = byAnchor.GetValueOrDefault(anchor, (new ProfileContent(), touchpoint.Id));
            content.Add(touchpoint with { Identifiers = [], RefusedLinks = [] }, computed);
            byAnchor[anchor] = (content, Smaller(first, touchpoint.Id));
        }
        var replaced = new List<string>();
        foreach (var entry in existing.Where(e => byAnchor.ContainsKey(e.AnchorKey)))
        {
            var (content, first) = byAnchor[entry.AnchorKey];
            content.Merge(entry.Content);
            byAnchor[entry.AnchorKey] = (content, Smaller(first, entry.FirstTouchpointId));
            replaced.Add(entry.Name);
        }
        RemovedContent[] entries = [.. byAnchor.Select(e => new RemovedContent(e.Key, e.Value.First, e.Value.Content)).OrderBy(e => e.Name, StringComparer.Ordinal)];
        return (entries, [.. replaced.Except(entries.Select(e => e.Name), StringComparer.Ordinal)]);
    }

    private static string Smaller(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? a : b;
}
