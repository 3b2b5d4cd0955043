using Profiles.Contracts;
using Profiles.Core.Identifiers;

namespace Profiles.Testing;

/// <summary>A profile the node should hold: its identifiers (as first spelled) and the ids of its touchpoints.</summary>
public sealed record ExpectedProfile(IReadOnlyList<IdentifierInput> Identifiers, IReadOnlyList<string> TouchpointIds);

/// <summary>
/// The expected identity partition, computed independently of the node: a union-find over normalised
/// identifiers (e-mail trimmed and lower-cased then hashed like a <c>sha256</c> input; phone brought to
/// E.164 by a simple French rule that is enough for the numbers the populations make). Identity rule limits
/// are not modelled: it is the partition of a node without limits.
/// Merges are counted in the replay order: a touchpoint whose identifiers already sit in k distinct sets
/// joins them with k-1 merges. With concurrent writers the node's own count may differ slightly.
/// </summary>
public sealed class GroundTruth
{
    private readonly Dictionary<string, int> _nodes = new(StringComparer.Ordinal);
    private readonly List<IdentifierInput> _firstSpelling = [];
    private readonly List<int> _parent = [];
    private readonly List<int> _rank = [];
    private readonly IReadOnlyList<TouchpointSpec> _touchpoints;
    private readonly int[] _touchpointNode;
    private readonly int[] _touchpointsPerRoot;

    public GroundTruth(IReadOnlyList<TouchpointSpec> replayOrder)
    {
        _touchpoints = replayOrder;
        _touchpointNode = new int[replayOrder.Count];
        var roots = new List<int>(8);
        for (var i = 0; i < replayOrder.Count; i++)
        {
            roots.Clear();
            var fresh = -1;
            foreach (var identifier in replayOrder[i].Identifiers)
            {
                var key = Key(identifier);
                if (_nodes.TryGetValue(key, out var node))
                {
                    var root = Find(node);
                    if (!roots.Contains(root)) roots.Add(root);
                }
                else
                {
                    node = NewNode(key, identifier);
                    if (fresh < 0) fresh = node; else Union(fresh, node);
                }
                _touchpointNode[i] = node;
            }
            // Existing sets joined by this touchpoint: k sets -> k-1 merges; new identifiers join free.
            if (roots.Count > 1) ExpectedMerges += roots.Count - 1;
            for (var j = 1; j < roots.Count; j++) Union(roots[0], roots[j]);
            if (roots.Count > 0 && fresh >= 0) Union(roots[0], fresh);
        }
        _touchpointsPerRoot = new int[_parent.Count];
        foreach (var node in _touchpointNode) _touchpointsPerRoot[Find(node)]++;
        for (var n = 0; n < _parent.Count; n++) if (Find(n) == n) ComponentCount++;
    }

    public long ExpectedMerges { get; }

    public int ComponentCount { get; }

    /// <summary>Every distinct identifier, as first spelled.</summary>
    public IReadOnlyList<IdentifierInput> Identifiers => _firstSpelling;

    /// <summary>The component of an identifier (any spelling), or -1 when never seen.</summary>
    public int ComponentOf(IdentifierInput identifier) => _nodes.TryGetValue(Key(identifier), out var n) ? Find(n) : -1;

    /// <summary>Touchpoints in a component.</summary>
    public int TouchpointsIn(int component) => component >= 0 ? _touchpointsPerRoot[component] : 0;

    public bool Connected(IdentifierInput a, IdentifierInput b) => ComponentOf(a) is var component and >= 0 && component == ComponentOf(b);

    public IEnumerable<ExpectedProfile> Profiles()
    {
        var touchpointIds = Enumerable.Range(0, _touchpoints.Count).ToLookup(i => Find(_touchpointNode[i]), i => _touchpoints[i].Id);
        return Enumerable.Range(0, _parent.Count).GroupBy(Find).Select(component =>
            new ExpectedProfile([.. component.Select(n => _firstSpelling[n])], [.. touchpointIds[component.Key]]));
    }

    private static string Key(IdentifierInput id) => id.Type switch
    {
        "email" => "email:" + (id.Sha256 ?? IdentifierHasher.Sha256Hex(id.Value!.Trim().ToLowerInvariant())),
        "phone" => "phone:" + (id.Sha256 ?? IdentifierHasher.Sha256Hex(FrenchE164(id.Value!))),
        _ => id.Type + ":" + (id.Sha256 ?? IdentifierHasher.Sha256Hex(id.Value!.Trim())),
    };

    /// <summary>French numbers only: "06 12 34 56 78", "+33 6 12...", "0033 6..." -> "+33612345678".</summary>
    private static string FrenchE164(string raw)
    {
        Span<char> digits = stackalloc char[raw.Length];
        var n = 0;
        foreach (var ch in raw) if (ch is >= '0' and <= '9') digits[n++] = ch;
        var d = new string(digits[..n]);
        var plus = raw.TrimStart().StartsWith('+');
        if (plus && d.StartsWith("33", StringComparison.Ordinal)) return "+" + d;
        if (d.StartsWith("0033", StringComparison.Ordinal)) return "+" + d[2..];
        if (d.Length == 10 && d[0] == '0') return "+33" + d[1..];
        return "+" + d;
    }

    private int NewNode(string key, IdentifierInput spelling)
    {
        var n = _parent.Count;
        _parent.Add(n);
        _rank.Add(0);
        _nodes.Add(key, n);
        _firstSpelling.Add(spelling);
        return n;
    }

    private int Find(int x)
    {
        while (_parent[x] != x)
        {
            _parent[x] = _parent[_parent[x]];
            x = _parent[x];
        }
        return x;
    }

    private void Union(int a, int b)
    {
        a = Find(a); b = Find(b);
        if (a == b) return;
        if (_rank[a] < _rank[b]) (a, b) = (b, a);
        _parent[b] = a;
        if (_rank[a] == _rank[b]) _rank[a]++;
    }
}
