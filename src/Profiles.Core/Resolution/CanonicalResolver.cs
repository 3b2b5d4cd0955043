using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Resolution;

/// <summary>
/// The canonical partition of a set of touchpoints (docs/ARCHITECTURE.md, "Canonical resolution"): every link
/// of every touchpoint is made in <see cref="LinkOrder"/>, unless it would break a limit or join two identifiers
/// an operator unlinked. The result depends on the set alone, never on the order it arrived in.
/// </summary>
public sealed class CanonicalResolver(IdentityRules rules)
{
    public LinkOrder Order { get; } = new(rules);

    public CanonicalPartition Resolve(IReadOnlyCollection<Touchpoint> touchpoints) =>
        new(ResolveSets(touchpoints, OperatorEntry.StandingUnlinks(touchpoints)), rules);

    /// <summary>The groups of the touchpoints' identifiers, with <paramref name="apart"/> kept apart.</summary>
    public ComponentSets ResolveSets(IReadOnlyCollection<Touchpoint> touchpoints, IReadOnlySet<(string, string)> apart)
    {
        var sets = new ComponentSets(rules, apart, Order);
        var links = new List<IdentityLink>();
        foreach (var touchpoint in touchpoints)
        {
            if (OperatorEntry.Is(touchpoint)) continue;
            foreach (var identifier in IdentityLink.ArrivedIdentifiers(touchpoint, rules)) sets.Add(identifier);
            links.AddRange(IdentityLink.Of(touchpoint, rules));
        }
        links.Sort(Order);
        foreach (var link in links) sets.TryLink(link);
        return sets;
    }
}

/// <summary>
/// Who is who: which identifiers make one profile, and which links were refused. A group is named by its
/// strongest identifier, so two partitions of the same touchpoints name their groups alike.
/// </summary>
public sealed class CanonicalPartition
{
    private readonly Dictionary<string, string> _groupOf = new(StringComparer.Ordinal);

    public CanonicalPartition(ComponentSets sets, IdentityRules rules)
    {
        var groups = new Dictionary<string, List<IdentifierRef>>(StringComparer.Ordinal);
        var refused = new Dictionary<(string, string), RefusedIdentityLink>();
        foreach (var key in sets.Keys)
        {
            var root = sets.Find(key);
            if (groups.ContainsKey(root)) continue;
            var members = sets.MembersOf(root).OrderBy(m => m, Comparer<IdentifierRef>.Create(rules.Compare)).ToList();
            groups[root] = members;
            foreach (var member in members) _groupOf[member.Key] = members[0].Key;
            foreach (var link in sets.RefusedTouching(root)) refused[(link.Link.TouchpointId, link.Link.Other.Key)] = link;
        }
        Groups = groups.Values.OrderBy(g => g[0].Key, StringComparer.Ordinal).ToList();
        Refused = refused.Values.OrderBy(r => r.Link.TouchpointId, StringComparer.Ordinal).ThenBy(r => r.Link.Other.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>Each profile's identifiers, strongest first.</summary>
    public IReadOnlyList<IReadOnlyList<IdentifierRef>> Groups { get; }

    public IReadOnlyList<RefusedIdentityLink> Refused { get; }

    /// <summary>The strongest identifier key of the profile holding <paramref name="identifierKey"/>.</summary>
    public string GroupOf(string identifierKey) => _groupOf[identifierKey];

    /// <summary>Whether <paramref name="identifierKey"/> is an identifier of these touchpoints.</summary>
    public bool Knows(string identifierKey) => _groupOf.ContainsKey(identifierKey);

    public bool Together(string a, string b) => GroupOf(a) == GroupOf(b);
}
