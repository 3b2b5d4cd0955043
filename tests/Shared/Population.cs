using System.Text.Json.Nodes;

namespace Profiles.Tests;

/// <summary>A touchpoint of a test population, in clear: what a client would send.</summary>
public sealed record TouchpointSpec(string Id, DateTimeOffset OccurredAt, string Channel, IReadOnlyList<(string Type, string Value)> Identifiers, int Visit)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["occurredAt"] = OccurredAt.ToString("O"),
        ["channel"] = Channel,
        ["type"] = "page_view",
        ["identifiers"] = TouchpointJson.Identifiers(Identifiers),
        ["traits"] = new JsonObject { ["visits"] = Visit, ["tier"] = $"t{Visit % 3}" },
    };
}

/// <summary>
/// Customers with several identifiers each; every touchpoint carries one to three identifiers of one customer,
/// so the identity graph forms by many overlapping links. Every fiftieth touchpoint joins two customers (a
/// family e-mail on a partner's loyalty card), which must merge their profiles.
/// </summary>
public sealed class Population(string run, int seed, int customers, int identifiersPerCustomer)
{
    private static readonly string[] Types = ["cookie", "email", "device_id", "loyalty_id", "crm_id"];
    private static readonly string[] Channels = ["web", "app", "store", "email", "call_center"];
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly (string Type, string Value)[][] _identifiers = [.. Enumerable.Range(0, customers).Select(c =>
        Enumerable.Range(0, identifiersPerCustomer).Select(i => Identifier(run, c, i)).ToArray())];

    public List<TouchpointSpec> Touchpoints(int count)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(n =>
        {
            var customer = _identifiers[random.Next(customers)];
            IReadOnlyList<(string, string)> carried = n % 50 == 49
                ? [customer[0], _identifiers[random.Next(customers)][1]]
                : [.. customer.OrderBy(_ => random.Next()).Take(random.Next(1, 4))];
            return new TouchpointSpec($"{run}-p{n}", Start.AddMinutes(random.Next(10_000)), Channels[random.Next(Channels.Length)], carried, n);
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
    private readonly IReadOnlyList<TouchpointSpec> _touchpoints;

    public GroundTruth(IReadOnlyList<TouchpointSpec> touchpoints)
    {
        _touchpoints = touchpoints;
        foreach (var touchpoint in touchpoints)
        {
            foreach (var identifier in touchpoint.Identifiers) Union(touchpoint.Identifiers[0], identifier);
        }
    }

    public IEnumerable<(string Type, string Value)> Identifiers => _parent.Keys;

    public bool Connected((string, string) a, (string, string) b) => Find(a) == Find(b);

    public IEnumerable<(List<(string Type, string Value)> Identifiers, List<string> TouchpointIds)> Components()
    {
        var touchpointsByRoot = _touchpoints.ToLookup(t => Find(t.Identifiers[0]), t => t.Id);
        return _parent.Keys.GroupBy(Find).Select(group => (group.ToList(), touchpointsByRoot[group.Key].ToList()));
    }

    private void Union((string, string) a, (string, string) b)
    {
        _parent.TryAdd(a, a);
        _parent.TryAdd(b, b);
        var (rootA, rootB) = (Find(a), Find(b));
        if (rootA != rootB) _parent[rootA] = rootB;
    }

    private (string, string) Find((string, string) item)
    {
        while (_parent[item] != item) item = _parent[item];
        return item;
    }
}
