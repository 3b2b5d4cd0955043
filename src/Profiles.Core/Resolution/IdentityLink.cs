using Profiles.Core.Identifiers;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Resolution;

/// <summary>
/// A link one touchpoint makes between its anchor (its strongest usable identifier) and one of its other
/// identifiers. <see cref="Other"/> is always the weaker end, so the link is as strong as <see cref="Other"/>'s
/// priority.
/// </summary>
public sealed record IdentityLink(string TouchpointId, DateTimeOffset OccurredAt, IdentifierRef Anchor, IdentifierRef Other)
{
    /// <summary>Every link of a touchpoint, from the identifiers it arrived with. An operator entry links nothing.</summary>
    public static IEnumerable<IdentityLink> Of(Touchpoint touchpoint, IdentityRules rules)
    {
        if (OperatorEntry.Is(touchpoint)) yield break;
        var identifiers = ArrivedIdentifiers(touchpoint, rules);
        for (var i = 1; i < identifiers.Count; i++) yield return new IdentityLink(touchpoint.Id, touchpoint.OccurredAt, identifiers[0], identifiers[i]);
    }

    /// <summary>
    /// The identifiers a touchpoint arrived with, strongest first: those its profile holds and those a link rule
    /// kept out when it landed (recorded with it as refused links of its own). Resolution starts from these, never
    /// from what an earlier resolution decided.
    /// </summary>
    public static IReadOnlyList<IdentifierRef> ArrivedIdentifiers(Touchpoint touchpoint, IdentityRules rules)
    {
        if (touchpoint.RefusedLinks.Count == 0) return touchpoint.Identifiers;
        var all = new List<IdentifierRef>(touchpoint.Identifiers);
        foreach (var refused in touchpoint.RefusedLinks)
        {
            if (refused.TouchpointId == touchpoint.Id && all.TrueForAll(i => i.Key != refused.Key))
                all.Add(new IdentifierRef(refused.Type, refused.Key, refused.Hint, refused.Hint == IdentifierHint.Hashed));
        }
        all.Sort(rules.Compare);
        return all;
    }
}

/// <summary>
/// The order in which links are made (docs/ARCHITECTURE.md, "Canonical resolution"): weaker end's priority, then
/// the touchpoint's time (UTC), then its id, then the weaker end's key. Stronger links are made first, so a CRM
/// id and its e-mail are joined before a shared tablet can join either to someone else.
/// </summary>
public sealed class LinkOrder(IdentityRules rules) : IComparer<IdentityLink>
{
    /// <summary>True when every link made in a profile (given by <see cref="Profiles.ProfileContent.LastLinks"/>)
    /// comes before <paramref name="link"/> in link order.</summary>
    public bool AllMadeBefore(IReadOnlyDictionary<string, Profiles.LinkMark> lastLinks, IdentityLink link)
    {
        var priority = rules.For(link.Other.Type).Priority;
        var mark = new Profiles.LinkMark(link.OccurredAt.UtcTicks, link.TouchpointId, link.Other.Key);
        foreach (var (type, last) in lastLinks)
        {
            var order = rules.For(type).Priority.CompareTo(priority);
            if (order > 0 || (order == 0 && last.CompareTo(mark) >= 0)) return false;
        }
        return true;
    }

    public int Compare(IdentityLink? a, IdentityLink? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        var order = rules.For(a.Other.Type).Priority.CompareTo(rules.For(b.Other.Type).Priority);
        if (order == 0) order = a.OccurredAt.UtcTicks.CompareTo(b.OccurredAt.UtcTicks);
        if (order == 0) order = string.CompareOrdinal(a.TouchpointId, b.TouchpointId);
        return order != 0 ? order : string.CompareOrdinal(a.Other.Key, b.Other.Key);
    }
}

/// <summary>An operator's correction of identity (<c>POST /v1/profiles/{id}/unlink</c> and <c>/relink</c>), kept in
/// the journey as a touchpoint: it links nothing and counts in no figure.</summary>
public static class OperatorEntry
{
    public const string Unlink = "identity.unlink";
    public const string Relink = "identity.relink";

    public static bool Is(Touchpoint touchpoint) => IsOperatorType(touchpoint.Type);

    /// <summary>True for the types only an operator's correction carries, which a sent touchpoint may not.</summary>
    public static bool IsOperatorType(string type) => type is Unlink or Relink;

    /// <summary>
    /// The pairs of identifier keys that must not share a profile: for each pair, the latest of its unlink and
    /// relink entries by (occurredAt, id) stands, and only an unlink keeps them apart.
    /// </summary>
    public static IReadOnlySet<(string, string)> StandingUnlinks(IEnumerable<Touchpoint> touchpoints)
    {
        var latest = new Dictionary<(string, string), Touchpoint>();
        foreach (var entry in touchpoints.Where(t => Is(t) && t.Identifiers.Count == 2))
        {
            var pair = Pair(entry.Identifiers[0].Key, entry.Identifiers[1].Key);
            if (!latest.TryGetValue(pair, out var current) || Later(entry, current)) latest[pair] = entry;
        }
        return latest.Where(e => e.Value.Type == Unlink).Select(e => e.Key).ToHashSet();
    }

    /// <summary>A pair in a fixed order, so (a, b) and (b, a) are one pair.</summary>
    public static (string, string) Pair(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);

    private static bool Later(Touchpoint a, Touchpoint b)
    {
        var order = a.OccurredAt.UtcTicks.CompareTo(b.OccurredAt.UtcTicks);
        return order > 0 || (order == 0 && string.CompareOrdinal(a.Id, b.Id) > 0);
    }
}
