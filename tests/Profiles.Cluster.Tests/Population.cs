using Profiles.Core.Touchpoints;
using Profiles.Tests;

namespace Profiles.Cluster.Tests;

/// <summary>
/// Customers with several identifiers each; every touchpoint carries one to three identifiers of one customer,
/// so the identity graph forms by many overlapping links. Some identifiers are shared by two customers (a
/// family e-mail), which must join them.
/// </summary>
public sealed class Population(string run, Random random, int customers, int identifiersPerCustomer)
{
    private static readonly string[] Types = ["cookie", "email", "device_id", "loyalty_id", "crm_id"];
    private static readonly string[] Channels = ["web", "app", "store", "email", "call_center"];
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<(string Type, string Value)[]> _identifiers = [.. Enumerable.Range(0, customers).Select(c =>
        Enumerable.Range(0, identifiersPerCustomer).Select(i => Identifier(run, c, i)).ToArray())];

    /// <summary>Every identifier of the population by its stored key, to read the ground truth in clear.</summary>
    public Dictionary<string, (string Type, string Value)> IdentifierOfKey =>
        _identifiers.SelectMany(c => c).ToDictionary(i => TestTouchpoints.KeyOf(i.Type, i.Value));

    public List<Touchpoint> Touchpoints(Random order, int count, int startId)
    {
        var shared = Enumerable.Range(0, customers / 10).Select(_ => (random.Next(customers), random.Next(customers))).ToList();
        return [.. Enumerable.Range(startId, count).Select(n =>
        {
            var customer = random.Next(customers);
            var own = _identifiers[customer].OrderBy(_ => order.Next()).Take(random.Next(1, 4)).ToList();
            if (n % 50 == 0 && shared.Count > 0)
            {
                var (a, b) = shared[n / 50 % shared.Count];
                own = [_identifiers[a][0], _identifiers[b][1]];
            }
            return TestTouchpoints.Make($"{run}-p{n}", Start.AddMinutes(random.Next(10_000)), Channels[random.Next(Channels.Length)],
                "page_view", own, [("visits", n.ToString()), ("tier", $"\"{random.Next(3)}\"")]);
        })];
    }

    private static (string, string) Identifier(string run, int customer, int index)
    {
        var type = Types[index % Types.Length];
        return (type, type == "email" ? $"c{customer}.{index}.{run}@example.com" : $"{run}-{customer}-{index}");
    }
}

/// <summary>The expected partition, computed apart from Profiles: a plain union-find over identifier values.</summary>
public sealed class GroundTruth
{
    private readonly Dictionary<(string Type, string Value), (string Type, string Value)> _parent = [];
    private readonly IReadOnlyList<Touchpoint> _touchpoints;
    private readonly Dictionary<string, (string Type, string Value)> _identifierOfKey;

    public GroundTruth(IReadOnlyList<Touchpoint> touchpoints, Dictionary<string, (string Type, string Value)> identifierOfKey)
    {
        (_touchpoints, _identifierOfKey) = (touchpoints, identifierOfKey);
        foreach (var touchpoint in touchpoints)
        {
            var first = touchpoint.Identifiers[0].Key;
            foreach (var identifier in touchpoint.Identifiers) Union(first, identifier.Key);
        }
    }

    public IEnumerable<(string Type, string Value)> Identifiers => _parent.Keys;

    public bool Connected((string, string) a, (string, string) b) => Find(a) == Find(b);

    public IEnumerable<(List<(string Type, string Value)> Identifiers, List<string> TouchpointIds)> Components() =>
        _parent.Keys.GroupBy(Find).Select(group => (
            group.ToList(),
            _touchpoints.Where(t => Find(_identifierOfKey[t.Identifiers[0].Key]) == group.Key).Select(t => t.Id).ToList()));

    private void Union(string keyA, string keyB)
    {
        var (rootA, rootB) = (Find(Identifier(keyA)), Find(Identifier(keyB)));
        if (rootA != rootB) _parent[rootA] = rootB;
    }

    private (string, string) Identifier(string key)
    {
        var identifier = _identifierOfKey[key];
        _parent.TryAdd(identifier, identifier);
        return identifier;
    }

    private (string, string) Find((string, string) item)
    {
        while (_parent[item] != item) item = _parent[item];
        return item;
    }
}
