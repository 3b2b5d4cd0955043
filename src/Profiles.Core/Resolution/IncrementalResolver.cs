using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Resolution;

/// <summary>
/// Keeps the canonical partition as touchpoints arrive one at a time, the way the cluster does, so the algorithm
/// can be tested against <see cref="CanonicalResolver"/> on the whole set:
/// <list type="bullet">
/// <item>A link between two groups that may become one is made at once: the partition stays canonical whatever
/// the link's place in link order (making a link can only refuse later links that the union itself would break,
/// and it does not).</item>
/// <item>A link that would break a rule is refused at once when every link made in both groups comes before it in
/// link order: the groups were already whole when it came.</item>
/// <item>Otherwise, and for an operator entry, the groups it touches are resolved again from their touchpoints,
/// together with every group joined to them by a refused link (a refusal may turn into a link once a group
/// splits): its component, never the whole set.</item>
/// </list>
/// </summary>
public sealed class IncrementalResolver(IdentityRules rules)
{
    private readonly CanonicalResolver _resolver = new(rules);
    private readonly List<Touchpoint> _touchpoints = [];
    private readonly Dictionary<string, List<Touchpoint>> _anchoredAt = new(StringComparer.Ordinal);
    private ComponentSets? _sets;
    private IReadOnlySet<(string, string)> _apart = new HashSet<(string, string)>();

    /// <summary>How many arrivals needed a component resolved again.</summary>
    public int Resolutions { get; private set; }

    /// <summary>How many identifiers those resolutions covered in all.</summary>
    public int IdentifiersResolved { get; private set; }

    public CanonicalPartition Partition => new(Sets, rules);

    private ComponentSets Sets => _sets ??= new ComponentSets(rules, _apart, _resolver.Order);

    public void Add(Touchpoint touchpoint)
    {
        _touchpoints.Add(touchpoint);
        if (OperatorEntry.Is(touchpoint))
        {
            _apart = OperatorEntry.StandingUnlinks(_touchpoints);
            Sets.KeepApart(_apart);
            string[] known = [.. touchpoint.Identifiers.Where(i => Sets.Contains(i.Key)).Select(i => i.Key)];
            if (known.Length > 0) ResolveAgain(known);
            return;
        }
        var identifiers = IdentityLink.ArrivedIdentifiers(touchpoint, rules);
        foreach (var identifier in identifiers) Sets.Add(identifier);
        Anchored(identifiers[0].Key).Add(touchpoint);
        foreach (var link in IdentityLink.Of(touchpoint, rules).Order(_resolver.Order))
        {
            var (a, b) = (Sets.Find(link.Anchor.Key), Sets.Find(link.Other.Key));
            if (a == b) continue;
            if (Sets.WhyApart(a, b) is not { } reason)
            {
                Sets.TryLink(link);
                continue;
            }
            if (Sets.AllMadeBefore(a, link) && Sets.AllMadeBefore(b, link))
            {
                Sets.Refuse(link, reason);
                continue;
            }
            ResolveAgain([.. identifiers.Select(i => i.Key)]);
            return;
        }
    }

    /// <summary>Resolves again the component of these identifiers: their groups and every group a refused link
    /// joins them to, transitively, from the touchpoints anchored there.</summary>
    private void ResolveAgain(IReadOnlyCollection<string> seeds)
    {
        Resolutions++;
        var roots = new HashSet<string>(StringComparer.Ordinal);
        var frontier = new Queue<string>(seeds.Select(Sets.Find));
        while (frontier.TryDequeue(out var root))
        {
            if (!roots.Add(root)) continue;
            foreach (var refused in Sets.RefusedTouching(root))
            {
                frontier.Enqueue(Sets.Find(refused.Link.Anchor.Key));
                frontier.Enqueue(Sets.Find(refused.Link.Other.Key));
            }
        }
        var keys = roots.SelectMany(Sets.MembersOf).Select(m => m.Key).ToList();
        IdentifiersResolved += keys.Count;
        var touchpoints = keys.SelectMany(key => _anchoredAt.GetValueOrDefault(key) ?? []).ToList();
        Sets.Replace(keys, _resolver.ResolveSets(touchpoints, _apart));
    }

    private List<Touchpoint> Anchored(string key) => _anchoredAt.TryGetValue(key, out var list) ? list : _anchoredAt[key] = [];
}
