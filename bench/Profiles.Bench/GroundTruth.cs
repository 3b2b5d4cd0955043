namespace Profiles.Bench;

/// <summary>
/// The expected identity partition, computed independently of the node: a union-find over normalised
/// identifiers (e-mail trimmed and lower-cased then hashed like a <c>sha256</c> input; phone brought to
/// E.164 by a simple French rule that is enough for the numbers the population makes).
/// Merges are counted in the replay order: a touchpoint whose identifiers already sit in k distinct sets
/// joins them with k-1 merges. With concurrent writers the node's own count may differ slightly.
/// </summary>
public sealed class GroundTruth
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<int> _parent = [];
    private readonly List<int> _rank = [];
    private int[]? _tpCount;
    private int[]? _tpRoot;

    public long ExpectedMerges { get; private set; }
    public int Components { get; private set; }

    public static GroundTruth Build(IReadOnlyList<TouchpointSpec> replayOrder)
    {
        var gt = new GroundTruth();
        var roots = new List<int>(8);
        var tpNode = new int[replayOrder.Count];
        for (var i = 0; i < replayOrder.Count; i++)
        {
            var tp = replayOrder[i];
            roots.Clear();
            var fresh = -1;
            foreach (var id in tp.Identifiers)
            {
                var key = Key(id);
                if (gt._ids.TryGetValue(key, out var node))
                {
                    var root = gt.Find(node);
                    if (!roots.Contains(root)) roots.Add(root);
                }
                else
                {
                    node = gt.NewNode(key);
                    if (fresh < 0) fresh = node; else gt.Union(fresh, node);
                }
                tpNode[i] = node;
            }
            // Existing sets joined by this touchpoint: k sets -> k-1 merges; new identifiers join free.
            if (roots.Count > 1) gt.ExpectedMerges += roots.Count - 1;
            for (var j = 1; j < roots.Count; j++) gt.Union(roots[0], roots[j]);
            if (roots.Count > 0 && fresh >= 0) gt.Union(roots[0], fresh);
        }
        gt._tpCount = new int[gt._parent.Count];
        gt._tpRoot = new int[replayOrder.Count];
        for (var i = 0; i < tpNode.Length; i++)
        {
            var root = gt.Find(tpNode[i]);
            gt._tpRoot[i] = root;
            gt._tpCount[root]++;
        }
        var comps = 0;
        for (var n = 0; n < gt._parent.Count; n++) if (gt.Find(n) == n) comps++;
        gt.Components = comps;
        return gt;
    }

    /// <summary>The component of an identifier (any spelling), or -1 when never seen.</summary>
    public int ComponentOf(Ident id) => _ids.TryGetValue(Key(id), out var n) ? Find(n) : -1;

    /// <summary>Touchpoints in a component.</summary>
    public int TouchpointsIn(int component) => component >= 0 ? _tpCount![component] : 0;

    public static string Key(Ident id) => id.Type switch
    {
        "email" => "email:" + (id.Sha256 ?? Population.Sha256Hex(id.Value!.Trim().ToLowerInvariant())),
        "phone" => "phone:" + (id.Sha256 ?? Population.Sha256Hex(FrenchE164(id.Value!))),
        _ => id.Type + ":" + (id.Sha256 ?? Population.Sha256Hex(id.Value!.Trim())),
    };

    /// <summary>French numbers only: "06 12 34 56 78", "+33 6 12...", "0033 6..." -> "+33612345678".</summary>
    public static string FrenchE164(string raw)
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

    private int NewNode(string key)
    {
        var n = _parent.Count;
        _parent.Add(n);
        _rank.Add(0);
        _ids.Add(key, n);
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
