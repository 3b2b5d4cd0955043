using System.Text;
using Profiles.Core.Resolution;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

using Profiles.Testing;

namespace Profiles.Core.Tests;

/// <summary>Canonical resolution: the same touchpoints give the same customers whatever the order of arrival,
/// identity rules and operator unlinks included; and the incremental algorithm the cluster follows agrees with it.</summary>
public class CanonicalResolutionTests
{
    private static readonly IdentityRules Rules = new(
        new Dictionary<string, IdentifierRule>
        {
            ["crm_id"] = new(1, 1),
            ["loyalty_id"] = new(2, 1),
            ["email"] = new(3, 2),
            ["phone"] = new(4, 2),
            ["device_id"] = new(6, null),
            ["cookie"] = new(7, null),
        },
        BlockedValues.None);

    private static readonly DateTimeOffset Start = new(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Shared_tablets_give_every_customer_their_own_email_whatever_the_order(int seed)
    {
        var touchpoints = SharedTablets(customers: 40, tablets: 8, customersPerTablet: 5);
        var expected = Describe(new CanonicalResolver(Rules).Resolve(touchpoints));
        var random = new Random(seed);

        for (var trial = 0; trial < 10; trial++)
        {
            var incremental = new IncrementalResolver(Rules);
            foreach (var touchpoint in touchpoints.OrderBy(_ => random.Next())) incremental.Add(touchpoint);
            Assert.Equal(expected, Describe(incremental.Partition));
        }

        var partition = new CanonicalResolver(Rules).Resolve(touchpoints);
        for (var c = 0; c < 40; c++)
        {
            Assert.True(partition.Together(Key("crm_id", $"CRM-{c}"), Key("email", $"customer{c}@example.com")), $"customer {c} lost their e-mail");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Adding_touchpoints_one_by_one_in_any_order_gives_the_partition_of_the_whole_set(int seed)
    {
        var random = new Random(seed);
        var touchpoints = RandomTouchpoints(random, count: 250, withOperatorEntries: seed % 2 == 0);
        var expected = Describe(new CanonicalResolver(Rules).Resolve(touchpoints));

        for (var trial = 0; trial < 8; trial++)
        {
            var shuffled = touchpoints.OrderBy(_ => random.Next()).ToList();
            Assert.Equal(expected, Describe(new CanonicalResolver(Rules).Resolve(shuffled)));
            var incremental = new IncrementalResolver(Rules);
            foreach (var touchpoint in shuffled) incremental.Add(touchpoint);
            Assert.Equal(expected, Describe(incremental.Partition));
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void No_profile_ever_breaks_a_limit_or_holds_two_unlinked_identifiers(int seed)
    {
        var touchpoints = RandomTouchpoints(new Random(seed), count: 300, withOperatorEntries: true);
        var unlinked = OperatorEntry.StandingUnlinks(touchpoints);

        var partition = new CanonicalResolver(Rules).Resolve(touchpoints);

        foreach (var group in partition.Groups)
        {
            foreach (var ofType in group.GroupBy(i => i.Type))
            {
                if (Rules.For(ofType.Key).Limit is { } limit) Assert.True(ofType.Count() <= limit, $"{ofType.Count()} {ofType.Key} in one profile");
            }
        }
        Assert.All(unlinked, pair => Assert.False(partition.Together(pair.Item1, pair.Item2)));
        Assert.All(partition.Refused, refused => Assert.False(partition.Together(refused.Link.Anchor.Key, refused.Link.Other.Key)));
    }

    [Fact]
    public void Touchpoints_that_need_no_refusal_are_linked_without_resolving_anything_again()
    {
        var random = new Random(11);
        var incremental = new IncrementalResolver(Rules);
        for (var c = 0; c < 200; c++)
        {
            incremental.Add(Touch($"login-{c}", Start.AddMinutes(random.Next(10_000)), ("cookie", $"ck-{c}"), ("email", $"c{c}@example.com")));
            incremental.Add(Touch($"crm-{c}", Start.AddMinutes(random.Next(10_000)), ("crm_id", $"CRM-{c}"), ("email", $"c{c}@example.com")));
            incremental.Add(Touch($"shop-{c}", Start.AddMinutes(random.Next(10_000)), ("loyalty_id", $"L-{c}"), ("crm_id", $"CRM-{c}")));
        }

        Assert.Equal(0, incremental.Resolutions);
        Assert.Equal(200, incremental.Partition.Groups.Count);
    }

    [Fact]
    public void A_stronger_link_arriving_after_a_weaker_one_it_contradicts_splits_the_profile()
    {
        // Two customers log in on one shop tablet; then the CRM rows arrive: each e-mail belongs with its own CRM id.
        var incremental = new IncrementalResolver(Rules);
        incremental.Add(Touch("t1", Start, ("device_id", "tablet"), ("email", "ann@example.com")));
        incremental.Add(Touch("t2", Start.AddMinutes(5), ("device_id", "tablet"), ("email", "bob@example.com")));
        incremental.Add(Touch("c1", Start.AddDays(1), ("crm_id", "CRM-ANN"), ("email", "ann@example.com")));
        Assert.True(incremental.Partition.Together(Key("email", "bob@example.com"), Key("crm_id", "CRM-ANN")));

        incremental.Add(Touch("c2", Start.AddDays(1), ("crm_id", "CRM-BOB"), ("email", "bob@example.com")));

        var partition = incremental.Partition;
        Assert.Equal(1, incremental.Resolutions);
        Assert.True(partition.Together(Key("email", "bob@example.com"), Key("crm_id", "CRM-BOB")));
        Assert.True(partition.Together(Key("email", "ann@example.com"), Key("device_id", "tablet")));
        var refused = Assert.Single(partition.Refused);
        Assert.Equal(("t2", RefusalReasons.Limit), (refused.Link.TouchpointId, refused.Reason));
    }

    [Fact]
    public void An_older_touchpoint_arriving_late_takes_its_place_in_link_order()
    {
        // Ann logged in on the tablet before Bob; Bob's login arrived first, so the tablet went to Bob at first.
        var incremental = new IncrementalResolver(Rules);
        incremental.Add(Touch("c1", Start, ("crm_id", "CRM-ANN"), ("email", "ann@example.com")));
        incremental.Add(Touch("c2", Start, ("crm_id", "CRM-BOB"), ("email", "bob@example.com")));
        incremental.Add(Touch("bob-login", Start.AddHours(2), ("device_id", "tablet"), ("email", "bob@example.com")));
        Assert.True(incremental.Partition.Together(Key("device_id", "tablet"), Key("crm_id", "CRM-BOB")));

        incremental.Add(Touch("ann-login", Start.AddHours(1), ("device_id", "tablet"), ("email", "ann@example.com")));

        Assert.True(incremental.Partition.Together(Key("device_id", "tablet"), Key("crm_id", "CRM-ANN")));
        Assert.False(incremental.Partition.Together(Key("device_id", "tablet"), Key("crm_id", "CRM-BOB")));
    }

    [Fact]
    public void An_unlink_splits_at_once_holds_against_later_touchpoints_and_a_relink_undoes_it()
    {
        var incremental = new IncrementalResolver(Rules);
        incremental.Add(Touch("w1", Start, ("cookie", "family-pc"), ("email", "ann@example.com")));
        incremental.Add(Touch("w2", Start.AddHours(1), ("cookie", "family-pc"), ("email", "bob@example.com")));
        Assert.True(incremental.Partition.Together(Key("email", "ann@example.com"), Key("email", "bob@example.com")));

        incremental.Add(Operator(OperatorEntry.Unlink, "u1", Start.AddDays(1), ("email", "ann@example.com"), ("email", "bob@example.com")));
        Assert.False(incremental.Partition.Together(Key("email", "ann@example.com"), Key("email", "bob@example.com")));

        incremental.Add(Touch("w3", Start.AddDays(2), ("email", "ann@example.com"), ("email", "bob@example.com")));
        Assert.False(incremental.Partition.Together(Key("email", "ann@example.com"), Key("email", "bob@example.com")));
        Assert.Contains(incremental.Partition.Refused, r => r.Link.TouchpointId == "w3" && r.Reason == RefusalReasons.Unlink);

        incremental.Add(Operator(OperatorEntry.Relink, "r1", Start.AddDays(3), ("email", "bob@example.com"), ("email", "ann@example.com")));
        Assert.True(incremental.Partition.Together(Key("email", "ann@example.com"), Key("email", "bob@example.com")));
    }

    /// <summary>The partition as text: groups by their keys, refused links by touchpoint, weaker end and reason.</summary>
    private static string Describe(CanonicalPartition partition)
    {
        var text = new StringBuilder();
        foreach (var group in partition.Groups) text.AppendLine(string.Join(',', group.Select(i => i.Key).Order(StringComparer.Ordinal)));
        foreach (var refused in partition.Refused) text.AppendLine($"refused {refused.Link.TouchpointId} {refused.Link.Other.Key} {refused.Reason}");
        return text.ToString();
    }

    /// <summary>Customers with a CRM row, web logins on cookies of their own, and logins on shared shop tablets.</summary>
    private static List<Touchpoint> SharedTablets(int customers, int tablets, int customersPerTablet)
    {
        var touchpoints = new List<Touchpoint>();
        var random = new Random(42);
        for (var c = 0; c < customers; c++)
        {
            var email = ("email", $"customer{c}@example.com");
            touchpoints.Add(Touch($"crm-{c}", Start.AddMinutes(random.Next(20_000)), ("crm_id", $"CRM-{c}"), email));
            touchpoints.Add(Touch($"web-{c}", Start.AddMinutes(random.Next(20_000)), ("cookie", $"ck-{c}"), email));
        }
        for (var t = 0; t < tablets; t++)
        {
            for (var k = 0; k < customersPerTablet; k++)
            {
                var c = (t * customersPerTablet + k) % customers;
                touchpoints.Add(Touch($"tablet-{t}-{k}", Start.AddMinutes(random.Next(20_000)), ("device_id", $"TAB-{t}"), ("email", $"customer{c}@example.com")));
            }
        }
        return touchpoints;
    }

    /// <summary>Touchpoints over a small pool of identifiers, so links overlap and limits are hit often; some
    /// operator entries unlink or relink pairs of them.</summary>
    private static List<Touchpoint> RandomTouchpoints(Random random, int count, bool withOperatorEntries)
    {
        (string Type, int Pool)[] types = [("crm_id", 12), ("loyalty_id", 12), ("email", 20), ("phone", 15), ("device_id", 6), ("cookie", 30)];
        (string, string) Pick()
        {
            var (type, pool) = types[random.Next(types.Length)];
            var n = random.Next(pool);
            return (type, type switch { "email" => $"e{n}@example.com", "phone" => $"061234{n:D4}", _ => $"{type}-{n}" });
        }
        var touchpoints = new List<Touchpoint>();
        for (var n = 0; n < count; n++)
        {
            var at = Start.AddMinutes(random.Next(5_000));
            if (withOperatorEntries && n % 25 == 24)
            {
                touchpoints.Add(Operator(random.Next(3) == 0 ? OperatorEntry.Relink : OperatorEntry.Unlink, $"op-{n}", at, Pick(), Pick()));
                continue;
            }
            touchpoints.Add(Touch($"tp-{n}", at, [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick())]));
        }
        return touchpoints;
    }

    private static Touchpoint Touch(string id, DateTimeOffset at, params (string Type, string Value)[] identifiers)
    {
        var refs = identifiers.Select(i => TestIdentifiers.Read(i.Type, i.Value)).DistinctBy(i => i.Key).ToList();
        refs.Sort(Rules.Compare);
        return new Touchpoint(id, at, "web", "login", refs, [], null);
    }

    private static Touchpoint Operator(string type, string id, DateTimeOffset at, (string Type, string Value) a, (string Type, string Value) b) =>
        new(id, at, "crm", type, [TestIdentifiers.Read(a.Type, a.Value), TestIdentifiers.Read(b.Type, b.Value)], [], null);

    private static string Key(string type, string value) => TestIdentifiers.KeyOf(type, value);
}
