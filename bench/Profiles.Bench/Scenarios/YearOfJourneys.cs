using Profiles.Contracts;

namespace Profiles.Bench.Scenarios;

/// <summary>A customer of <see cref="YearOfJourneys"/> and every touchpoint of their journey.</summary>
public sealed record YearCustomer(RetailCustomer Customer, TouchpointSpec[] Journey);

/// <summary>
/// A year of journeys: the retail population's customers (their identifiers and the touchpoints that link them),
/// every touchpoint dated at random over the 365 days before now, topped up with page views and e-mail opens to
/// <see cref="TouchpointsPerCustomer"/> each. Nearly all of a journey is then older than a few days: what a history
/// tier moves.
/// </summary>
public static class YearOfJourneys
{
    public const int TouchpointsPerCustomer = 24;

    private static readonly TimeSpan Year = TimeSpan.FromDays(365);

    /// <summary>Customers with global indices [offset, offset+count), each with a journey of its own random times.</summary>
    public static YearCustomer[] Generate(int seed, int offset, int count, DateTimeOffset now)
    {
        var population = RetailPopulation.Generate(seed, offset, count, RetailPopulation.DefaultAnchor);
        return [.. population.Customers.Select(customer => new YearCustomer(customer, JourneyOf(seed, customer, now)))];
    }

    /// <summary>Every touchpoint of <paramref name="customers"/> in a seeded random order, as clients' traffic arrives.</summary>
    public static TouchpointSpec[] Shuffled(int seed, IEnumerable<YearCustomer> customers)
    {
        var all = customers.SelectMany(c => c.Journey).ToArray();
        new Random(seed).Shuffle(all);
        return all;
    }

    private static TouchpointSpec[] JourneyOf(int seed, RetailCustomer customer, DateTimeOffset now)
    {
        var random = new Random(seed * 1_000_003 + customer.Index);
        DateTimeOffset InTheYear()
        {
            // At least a minute old: every occurredAt lies in the past whatever the clocks.
            var t = now - TimeSpan.FromMinutes(1) - random.NextDouble() * (Year - TimeSpan.FromMinutes(1));
            return new DateTimeOffset(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        }
        var journey = customer.Touchpoints.Select(t => new TouchpointSpec
        {
            Id = t.Id, OccurredAt = InTheYear(), Channel = t.Channel, Type = t.Type, Identifiers = t.Identifiers, Traits = t.Traits,
            Properties = t.Properties,
        }).ToList();
        for (var n = 0; journey.Count < TouchpointsPerCustomer; n++)
        {
            var pageView = random.NextDouble() < 0.7;
            journey.Add(new TouchpointSpec
            {
                Id = $"bench-{seed}-c{customer.Index}-y{n}", OccurredAt = InTheYear(),
                Channel = pageView ? "web" : "email", Type = pageView ? "page_view" : "email_open",
                Identifiers = [pageView ? new IdentifierInput("cookie", customer.Cookies[random.Next(customer.Cookies.Length)]) : new IdentifierInput("email", customer.Email)],
            });
        }
        return [.. journey];
    }
}
