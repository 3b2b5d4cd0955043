using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Resolution;

/// <summary>A link that was not made, and why (<see cref="RefusalReasons"/>).</summary>
public sealed record RefusedIdentityLink(IdentityLink Link, string Reason);

/// <summary>
/// Identifiers grouped into would-be profiles as links are made in order: a union-find that refuses a union
/// which would give a profile more values of a type than its limit, or put two identifiers an operator unlinked
/// into one profile. Each group remembers the last link made in it (in link order) and the refused links that
/// touch it: what the incremental resolution needs to decide whether a refusal can be trusted as is.
/// </summary>
public sealed class ComponentSets(IdentityRules rules, IReadOnlySet<(string, string)> apart, LinkOrder order)
{
    private readonly Dictionary<string, string> _parent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private Dictionary<string, List<string>> _partners = Partners(apart);

    public IEnumerable<string> Keys => _parent.Keys;

    public bool Contains(string key) => _parent.ContainsKey(key);

    /// <summary>Changes which identifiers must stay apart from now on (an operator entry arrived).</summary>
    public void KeepApart(IReadOnlySet<(string, string)> pairs) => _partners = Partners(pairs);

    /// <summary>Adds an identifier as a group of its own, if it is new.</summary>
    public void Add(IdentifierRef identifier)
    {
        if (_parent.ContainsKey(identifier.Key)) return;
        _parent[identifier.Key] = identifier.Key;
        var group = new Group();
        group.Members.Add(identifier);
        if (rules.LimitedTypes.Contains(identifier.Type)) group.CountByType[identifier.Type] = 1;
        _groups[identifier.Key] = group;
    }

    public string Find(string key)
    {
        var root = key;
        while (_parent[root] != root) root = _parent[root];
        while (_parent[key] != root) (key, _parent[key]) = (_parent[key], root);
        return root;
    }

    public IReadOnlyList<IdentifierRef> MembersOf(string root) => _groups[root].Members;

    public IReadOnlyList<RefusedIdentityLink> RefusedTouching(string root) => _groups[root].Refused;

    /// <summary>True when every link made in the group comes before <paramref name="link"/> in link order.</summary>
    public bool AllMadeBefore(string root, IdentityLink link) => _groups[root].LastMade is not { } last || order.Compare(last, link) < 0;

    /// <summary>Makes the link, or refuses it (and records the refusal on both groups).</summary>
    /// <returns>Null when made or when both ends were already together; else why it was refused.</returns>
    public string? TryLink(IdentityLink link)
    {
        var (a, b) = (Find(link.Anchor.Key), Find(link.Other.Key));
        if (a == b) return null;
        if (WhyApart(a, b) is { } reason)
        {
            Refuse(link, reason);
            return reason;
        }
        Unite(a, b, link);
        return null;
    }

    /// <summary>Why the two groups cannot become one profile; null when they can.</summary>
    public string? WhyApart(string a, string b)
    {
        var (ga, gb) = (_groups[a], _groups[b]);
        foreach (var (type, count) in ga.CountByType)
        {
            if (rules.For(type).Limit is { } limit && count + gb.CountByType.GetValueOrDefault(type) > limit) return RefusalReasons.Limit;
        }
        foreach (var (type, count) in gb.CountByType)
        {
            if (rules.For(type).Limit is { } limit && count > limit) return RefusalReasons.Limit;
        }
        if (_partners.Count == 0) return null;
        var (smaller, other) = ga.Members.Count <= gb.Members.Count ? (ga, b) : (gb, a);
        foreach (var member in smaller.Members)
        {
            if (!_partners.TryGetValue(member.Key, out var partners)) continue;
            foreach (var partner in partners)
            {
                if (_parent.ContainsKey(partner) && Find(partner) == other) return RefusalReasons.Unlink;
            }
        }
        return null;
    }

    public void Refuse(IdentityLink link, string reason)
    {
        var refused = new RefusedIdentityLink(link, reason);
        _groups[Find(link.Anchor.Key)].Refused.Add(refused);
        _groups[Find(link.Other.Key)].Refused.Add(refused);
    }

    /// <summary>Takes over the groups of <paramref name="keys"/> from <paramref name="resolved"/>, which resolved them
    /// anew: the keys must be closed under every link, made or refused, so no group reaches outside them.</summary>
    public void Replace(IReadOnlyCollection<string> keys, ComponentSets resolved)
    {
        foreach (var key in keys) _groups.Remove(key);
        foreach (var key in keys)
        {
            var root = resolved.Find(key);
            _parent[key] = root;
            _groups[root] = resolved._groups[root];
        }
    }

    private void Unite(string a, string b, IdentityLink link)
    {
        var (ga, gb) = (_groups[a], _groups[b]);
        var (root, absorbed, into, from) = ga.Members.Count >= gb.Members.Count ? (a, b, ga, gb) : (b, a, gb, ga);
        _parent[absorbed] = root;
        _groups.Remove(absorbed);
        into.Members.AddRange(from.Members);
        foreach (var (type, count) in from.CountByType) into.CountByType[type] = into.CountByType.GetValueOrDefault(type) + count;
        into.Refused.AddRange(from.Refused);
        into.LastMade = Last(Last(into.LastMade, from.LastMade), link);
    }

    private IdentityLink? Last(IdentityLink? a, IdentityLink? b) => a is null ? b : b is null ? a : order.Compare(a, b) >= 0 ? a : b;

    private static Dictionary<string, List<string>> Partners(IReadOnlySet<(string, string)> apart)
    {
        var partners = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (a, b) in apart)
        {
            (partners.TryGetValue(a, out var ofA) ? ofA : partners[a] = []).Add(b);
            (partners.TryGetValue(b, out var ofB) ? ofB : partners[b] = []).Add(a);
        }
        return partners;
    }

    private sealed class Group
    {
        public List<IdentifierRef> Members { get; } = [];
        public Dictionary<string, int> CountByType { get; } = new(StringComparer.Ordinal);
        public List<RefusedIdentityLink> Refused { get; } = [];
        public IdentityLink? LastMade { get; set; }
    }
}
