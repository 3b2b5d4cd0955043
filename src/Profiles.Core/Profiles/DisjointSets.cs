namespace Profiles.Core.Profiles;

/// <summary>A plain union-find over strings, used to group the touchpoints of one request whose identifiers
/// connect, so each group is merged and applied once.</summary>
public sealed class DisjointSets
{
    private readonly Dictionary<string, string> _parent = new(StringComparer.Ordinal);

    public string Find(string item)
    {
        if (!_parent.TryGetValue(item, out var parent))
        {
            _parent[item] = item;
            return item;
        }
        if (parent == item) return item;
        var root = Find(parent);
        _parent[item] = root;
        return root;
    }

    /// <summary>Unites two sets; the ordinal-smaller root stays the representative.</summary>
    public void Union(string a, string b)
    {
        var (rootA, rootB) = (Find(a), Find(b));
        if (rootA == rootB) return;
        var survivor = ProfileId.Survivor(rootA, rootB);
        _parent[survivor == rootA ? rootB : rootA] = survivor;
    }
}
