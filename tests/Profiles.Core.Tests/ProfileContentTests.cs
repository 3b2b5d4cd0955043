using Profiles.Core.Resolution;
using Profiles.Core.Identifiers;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Testing;

namespace Profiles.Core.Tests;

/// <summary>The profile fold: the same touchpoints give the same content whatever the order and the merge tree.</summary>
public class ProfileContentTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.FromHours(1));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Any_order_split_and_merge_tree_gives_the_same_content(int seed)
    {
        var random = new Random(seed);
        var touchpoints = RandomTouchpoints(random, 300);
        var expected = CanonicalContent.Of(FoldInOrder(touchpoints));

        for (var trial = 0; trial < 20; trial++)
        {
            var shuffled = touchpoints.OrderBy(_ => random.Next()).ToList();
            var parts = SplitRandomly(random, shuffled).Select(FoldInOrder).ToList();
            Assert.Equal(expected, CanonicalContent.Of(MergeTree.Random(random, parts)));
        }
    }

    [Fact]
    public void A_later_trait_write_wins_whatever_the_arrival_order()
    {
        var early = Touch("a", Start, ("city", "\"Paris\""));
        var late = Touch("b", Start.AddHours(1), ("city", "\"Lyon\""));

        Assert.Equal("\"Lyon\"", Traits(FoldInOrder([early, late]))["city"]);
        Assert.Equal("\"Lyon\"", Traits(FoldInOrder([late, early]))["city"]);
    }

    [Fact]
    public void Equal_times_are_decided_by_the_touchpoint_id()
    {
        var a = Touch("a", Start, ("city", "\"Paris\""));
        var b = Touch("b", Start, ("city", "\"Lyon\""));

        Assert.Equal("\"Lyon\"", Traits(FoldInOrder([a, b]))["city"]);
        Assert.Equal("\"Lyon\"", Traits(FoldInOrder([b, a]))["city"]);
    }

    [Fact]
    public void A_null_trait_removes_it_and_an_older_write_arriving_later_does_not_revive_it()
    {
        var set = Touch("a", Start, ("city", "\"Paris\""));
        var removed = Touch("b", Start.AddHours(1), ("city", null));

        Assert.False(Traits(FoldInOrder([set, removed])).ContainsKey("city"));
        Assert.False(Traits(FoldInOrder([removed, set])).ContainsKey("city"));
    }

    [Fact]
    public void Channels_identifiers_and_first_last_seen_cover_every_touchpoint()
    {
        var web = TestTouchpoints.Make("w", Start, "web", "page_view", [("cookie", "c-1")]);
        var store = TestTouchpoints.Make("s", Start.AddDays(2), "store", "purchase", [("email", "paul@example.com"), ("cookie", "c-1")]);

        var content = FoldInOrder([store, web]);

        Assert.Equal(2, content.Touchpoints);
        Assert.Equal(Start, content.FirstSeen);
        Assert.Equal(Start.AddDays(2), content.LastSeen);
        Assert.Equal(1, content.Channels["web"].Touchpoints);
        Assert.Equal(1, content.Channels["store"].Touchpoints);
        var cookie = content.Identifiers[TestIdentifiers.KeyOf("cookie", "c-1")];
        Assert.Equal((Start, Start.AddDays(2)), (cookie.FirstSeen, cookie.LastSeen));
    }

    [Fact]
    public void A_hint_from_a_clear_value_replaces_the_placeholder_of_a_hashed_one()
    {
        TestIdentifiers.Reader.TryRead("email", null, IdentifierHasher.Sha256Hex("paul@example.com"), out var hashed, out _);
        var fromHash = new Touchpoint("h", Start, "crm", "import", [hashed], [], null);
        var clear = TestTouchpoints.Make("c", Start, "web", "login", [("email", "paul@example.com")]);

        foreach (var order in new[] { new[] { fromHash, clear }, [clear, fromHash] })
        {
            var identifier = Assert.Single(FoldInOrder(order).Identifiers.Values);
            Assert.Equal("p***@example.com", identifier.Hint);
        }
    }

    [Fact]
    public void The_latest_correction_of_a_pair_stands_whatever_the_order()
    {
        var together = TestTouchpoints.Make("tp-1", Start, "web", "login", [("email", "ann@example.com"), ("email", "bob@example.com")]);
        var unlink = TestTouchpoints.Make("op-1", Start.AddDays(1), "operator", OperatorEntry.Unlink, [("email", "bob@example.com"), ("email", "ann@example.com")]);
        var relink = TestTouchpoints.Make("op-2", Start.AddDays(2), "operator", OperatorEntry.Relink, [("email", "ann@example.com"), ("email", "bob@example.com")]);

        Assert.True(FoldInOrder([relink, unlink, together]).HoldsUnlinkedPair is false);
        Assert.True(FoldInOrder([unlink, together]).HoldsUnlinkedPair);
        var merged = FoldInOrder([together]);
        merged.Merge(FoldInOrder([unlink]));
        Assert.True(merged.HoldsUnlinkedPair);
        Assert.Equal(1, merged.Touchpoints);
        merged.Merge(FoldInOrder([relink]));
        Assert.False(merged.HoldsUnlinkedPair);
    }

    private static ProfileContent FoldInOrder(IEnumerable<Touchpoint> touchpoints)
    {
        var content = new ProfileContent();
        foreach (var touchpoint in touchpoints) content.Add(touchpoint);
        return content;
    }

    private static Dictionary<string, string> Traits(ProfileContent content) => content.CurrentTraits().ToDictionary();

    private static Touchpoint Touch(string id, DateTimeOffset at, params (string Name, string? ValueJson)[] traits) =>
        TestTouchpoints.Make(id, at, "web", "page_view", [("cookie", "c-1")], traits);

    private static List<Touchpoint> RandomTouchpoints(Random random, int count)
    {
        string[] channels = ["web", "app", "store", "email", "call_center"];
        string[] traitNames = ["city", "firstName", "tier"];
        string?[] traitValues = ["\"Lyon\"", "\"Paris\"", "42", "true", null];
        // Many touchpoints share a time, so ties are decided by id and offsets differ for the same instant. Every
        // tenth is an operator's unlink or relink of two cookies, which only the corrections remember.
        return [.. Enumerable.Range(0, count).Select(n => n % 10 == 9
            ? TestTouchpoints.Make($"op-{n}", Start.AddMinutes(random.Next(50)), "operator", random.Next(2) == 0 ? OperatorEntry.Unlink : OperatorEntry.Relink,
                [("cookie", $"c-{random.Next(5)}"), ("cookie", $"c-{5 + random.Next(5)}")])
            : TestTouchpoints.Make(
            $"tp-{n}",
            Start.AddMinutes(random.Next(50)).ToOffset(TimeSpan.FromHours(random.Next(-3, 4))),
            channels[random.Next(channels.Length)],
            "page_view",
            Enumerable.Range(0, random.Next(1, 4)).Select(_ => ("cookie", $"c-{random.Next(10)}")).DistinctBy(i => i.Item2),
            Enumerable.Range(0, random.Next(0, 3)).Select(_ => (traitNames[random.Next(traitNames.Length)], traitValues[random.Next(traitValues.Length)])).DistinctBy(t => t.Item1)))];
    }

    private static List<List<Touchpoint>> SplitRandomly(Random random, List<Touchpoint> touchpoints)
    {
        var parts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => new List<Touchpoint>()).ToList();
        foreach (var touchpoint in touchpoints) parts[random.Next(parts.Count)].Add(touchpoint);
        return parts;
    }
}
