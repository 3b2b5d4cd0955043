using Profiles.Contracts;

namespace Profiles.Testing;

/// <summary>
/// The tests' identity-graph stress: customers with several identifiers each, and every touchpoint carries one
/// to three identifiers of one customer, so the graph forms by many overlapping links. Every fiftieth
/// touchpoint joins two customers (a family e-mail on a partner's loyalty card), which must merge their
/// profiles. Identifiers are already normalised, so the expected partition is the plain one.
/// </summary>
public sealed class OverlappingLinksPopulation(string run, int seed, int customers, int identifiersPerCustomer)
{
    private static readonly string[] Types = ["cookie", "email", "device_id", "loyalty_id", "crm_id"];
    private static readonly string[] Channels = ["web", "app", "store", "email", "call_center"];
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly IdentifierInput[][] _identifiers = [.. Enumerable.Range(0, customers).Select(c =>
        Enumerable.Range(0, identifiersPerCustomer).Select(i => Identifier(run, c, i)).ToArray())];

    /// <summary>The touchpoint's number <c>n</c> is in its id and its <c>visits</c> trait, so later ones win.</summary>
    public List<TouchpointSpec> Touchpoints(int count)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(n =>
        {
            var customer = _identifiers[random.Next(customers)];
            IReadOnlyList<IdentifierInput> carried = n % 50 == 49
                ? [customer[0], _identifiers[random.Next(customers)][1]]
                : [.. customer.OrderBy(_ => random.Next()).Take(random.Next(1, 4))];
            return new TouchpointSpec
            {
                Id = $"{run}-p{n}",
                OccurredAt = Start.AddMinutes(random.Next(10_000)),
                Channel = Channels[random.Next(Channels.Length)],
                Type = "page_view",
                Identifiers = carried,
                Traits = [JsonField.Number("visits", n), JsonField.Text("tier", $"t{n % 3}")],
            };
        })];
    }

    private static IdentifierInput Identifier(string run, int customer, int index)
    {
        var type = Types[index % Types.Length];
        return new(type, type == "email" ? $"c{customer}.{index}.{run}@example.com" : $"{run}-{customer}-{index}");
    }
}
