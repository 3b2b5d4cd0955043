using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using static Profiles.Core.Personalisation.ComputedTraitKind;
using static Profiles.Core.Tests.PersonalisationSupport;

namespace Profiles.Core.Tests;

/// <summary>Computed traits (docs/PERSONALISATION.md): their values, and that they are a function of the set of touchpoints
/// and today's date, whatever the order and the merges.</summary>
public class ComputedTraitsTests
{
    private static readonly ComputedTraits Retail = new(
    [
        Trait("orders", Count, types: ["purchase"]),
        Trait("orders_30d", Count, types: ["purchase"], window: 30),
        Trait("orders_180d", Count, types: ["purchase"], window: 180),
        Trait("revenue", Sum, "amount", types: ["purchase"]),
        Trait("revenue_365d", Sum, "amount", types: ["purchase"], window: 365),
        Trait("smallest_basket_7d", Min, "amount", window: 7),
        Trait("largest_basket", Max, "amount"),
        Trait("first_channel", First, "channel"),
        Trait("last_order", Last, "occurredAt", types: ["purchase"]),
        Trait("last_category", Last, "category"),
        Trait("stores_visited", Distinct, "storeId", channels: ["store"]),
        Trait("skus_seen", Distinct, "sku"),
        Trait("favourite_category", Top, "category"),
        Trait("favourite_category_90d", Top, "category", window: 90),
        Trait("category_affinity", Affinity, "category", types: ["purchase", "add_to_cart"]),
        Trait("category_affinity_60d", Affinity, "category", window: 60, halfLife: 7.5),
        Trait("eur_orders", Count, types: ["purchase"], properties: new() { ["currency"] = ["EUR"] }),
    ]);

    private static readonly Personalisation.Personalisation RetailAudiences = new(Retail, new Audiences(
    [
        new("frequent", "orders >= 300 && revenue > 1000"),
        new("recent", "orders_30d > 0 || smallest_basket_7d < 1"),
        new("shoes_lovers", "favourite_category_90d == \"cat-007\" || last_category < \"cat-010\""),
        new("omnichannel", "online > 0 && offline > 0"),
        new("many_stores", "stores_visited >= 6 && eur_orders != 0"),
        new("anonymous", "!identified"),
    ], Retail));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Any_order_split_merge_tree_and_trimming_gives_the_same_values_and_audiences(int seed)
    {
        var random = new Random(seed);
        var touchpoints = RandomTouchpoints(random, 3000);
        var folded = Fold(Retail, touchpoints);
        var expected = Values(Retail, folded);
        var expectedAudiences = RetailAudiences.Evaluate(folded, Noon).Audiences;

        for (var trial = 0; trial < 10; trial++)
        {
            var shuffled = touchpoints.OrderBy(_ => random.Next()).ToList();
            var parts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => new ProfileContent()).ToList();
            foreach (var touchpoint in shuffled)
            {
                var part = parts[random.Next(parts.Count)];
                part.Add(touchpoint, Retail);
                // A grain trims before every snapshot write: at any moment, in any part.
                if (random.Next(200) == 0) Retail.Trim(part.Computed, Today);
            }
            var merged = MergeTree.Random(random, parts);
            Assert.Equal(expected, Values(Retail, merged));
            Assert.Equal(expectedAudiences, RetailAudiences.Evaluate(merged, Noon).Audiences);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Values_match_a_plain_reading_of_the_rules(int seed)
    {
        var random = new Random(seed);
        var touchpoints = RandomTouchpoints(random, 400, distinctCategories: 12);

        var actual = Values(Retail, Fold(Retail, touchpoints));

        Assert.Equal(PlainReading.Values(Retail, touchpoints, Today), actual);
    }

    [Fact]
    public void Traits_that_matched_nothing_show_zero_null_or_an_empty_affinity()
    {
        var values = Values(Retail, Fold(Retail, [Touch("v", DaysAgo(1), "web", "page_view")]));

        Assert.Equal("0", values["orders"]);
        Assert.Equal("null", values["revenue"]);
        Assert.Equal("null", values["favourite_category"]);
        Assert.Equal("null", values["last_order"]);
        Assert.Equal("0", values["stores_visited"]);
        Assert.Equal("", values["category_affinity"]);
        Assert.Equal("\"web\"", values["first_channel"]);
    }

    [Fact]
    public void A_window_moves_with_the_date_without_a_new_touchpoint()
    {
        var content = Fold(Retail, [Touch("p", DaysAgo(29), "store", "purchase", new { amount = 10 })]);

        Assert.Equal("1", Values(Retail, content)["orders_30d"]);
        Assert.Equal("0", Values(Retail, content, Today.AddDays(1))["orders_30d"]);
        Assert.Equal("1", Values(Retail, content, Today.AddDays(1))["orders"]);
    }

    [Fact]
    public void A_window_counts_utc_calendar_days_today_included()
    {
        var traits = new ComputedTraits([Trait("today", Count, window: 1), Trait("two_days", Count, window: 2)]);
        var content = Fold(traits,
        [
            Touch("a", new DateTimeOffset(2026, 11, 29, 0, 30, 0, TimeSpan.FromHours(1)), "web", "page_view"), // 23:30 UTC the day before
            Touch("b", new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), "web", "page_view"),
        ]);

        Assert.Equal("1", Values(traits, content)["today"]);
        Assert.Equal("2", Values(traits, content)["two_days"]);
    }

    [Fact]
    public void Sums_are_exact_and_skip_values_that_are_not_numbers()
    {
        var content = Fold(Retail,
        [
            Touch("a", DaysAgo(3), "web", "purchase", new { amount = 0.1 }),
            Touch("b", DaysAgo(2), "web", "purchase", new { amount = 0.2 }),
            Touch("c", DaysAgo(1), "web", "purchase", new { amount = "lots" }),
            Touch("d", DaysAgo(1), "web", "purchase"),
        ]);

        Assert.Equal("0.3", Values(Retail, content)["revenue"]);
        Assert.Equal("4", Values(Retail, content)["orders"]);
    }

    [Fact]
    public void First_and_last_go_by_occurred_at_then_id_and_show_occurred_at_in_utc()
    {
        var at = DaysAgo(5);
        var content = Fold(Retail,
        [
            Touch("b", at.ToOffset(TimeSpan.FromHours(2)), "store", "purchase", new { category = "shoes" }),
            Touch("a", at, "web", "purchase", new { category = "bags" }),
        ]);

        var values = Values(Retail, content);
        Assert.Equal("\"web\"", values["first_channel"]);
        Assert.Equal("\"shoes\"", values["last_category"]);
        Assert.Equal($"\"{at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss}+00:00\"", values["last_order"]);
    }

    [Fact]
    public void Distinct_compares_values_as_text_and_top_breaks_ties_by_the_smallest()
    {
        var content = Fold(Retail,
        [
            Touch("a", DaysAgo(1), "store", "visit", new { storeId = 42, category = "shoes" }),
            Touch("b", DaysAgo(1), "store", "visit", new { storeId = "42", category = "bags" }),
            Touch("c", DaysAgo(1), "store", "visit", new { storeId = "LYON-2" }),
        ]);

        Assert.Equal("2", Values(Retail, content)["stores_visited"]);
        Assert.Equal("bags", Values(Retail, content)["favourite_category"]);
    }

    [Fact]
    public void Affinity_halves_a_touchpoints_weight_every_half_life_and_keeps_the_five_best()
    {
        var traits = new ComputedTraits([Trait("affinity", Affinity, "category")]);
        string[] categories = ["a", "b", "c", "d", "e", "f"];
        var content = Fold(traits,
        [
            Touch("today", DaysAgo(0, hour: 23), "web", "page_view", new { category = "shoes" }),
            Touch("month", DaysAgo(30), "web", "page_view", new { category = "shoes" }),
            Touch("week", DaysAgo(7), "web", "page_view", new { category = "bags" }),
            .. categories.Select(c => Touch($"old-{c}", DaysAgo(120), "web", "page_view", new { category = c })),
        ]);

        // 1 + 0.5 = 1.5; 0.5^(7/30) = 0.85074...; 0.5^4 = 0.0625 for each of a..f: the two best, then a, b, c by value.
        Assert.Equal("shoes=1.5, bags=0.8507, a=0.0625, b=0.0625, c=0.0625", Values(traits, content)["affinity"]);
    }

    [Fact]
    public void A_ranking_table_keeps_the_smallest_values_with_their_full_counts_in_any_order()
    {
        var traits = new ComputedTraits([Trait("top", Top, "sku")]);
        // "sku-999" is the most frequent, but it is beyond the 100 smallest values, so no order may report it;
        // among those kept, "sku-050" is the most frequent.
        var touchpoints = Enumerable.Range(0, 300).Select(n => Touch($"t{n}", DaysAgo(1), "web", "page_view", new { sku = $"sku-{n:D3}" }))
            .Concat(Enumerable.Range(0, 5).Select(n => Touch($"hot{n}", DaysAgo(1), "web", "page_view", new { sku = "sku-999" })))
            .Concat(Enumerable.Range(0, 3).Select(n => Touch($"warm{n}", DaysAgo(1), "web", "page_view", new { sku = "sku-050" })))
            .ToList();

        Assert.Equal("sku-050", Values(traits, Fold(traits, touchpoints))["top"]);
        Assert.Equal("sku-050", Values(traits, Fold(traits, Enumerable.Reverse(touchpoints)))["top"]);
    }

    [Fact]
    public void Trimming_keeps_every_value_a_read_today_or_later_can_show()
    {
        var touchpoints = RandomTouchpoints(new Random(7), 500);
        var content = Fold(Retail, touchpoints);
        var (today, later) = (Values(Retail, content), Values(Retail, content, Today.AddDays(40)));

        Retail.Trim(content.Computed, Today);

        Assert.Equal(today, Values(Retail, content));
        Assert.Equal(later, Values(Retail, content, Today.AddDays(40)));
        Assert.All(content.Computed.Values.Where(a => a.Days is { Count: > 0 }), a => Assert.True(a.Days!.Keys.Min() > Today.DayNumber - 400));
    }

    [Fact]
    public void State_folded_under_an_earlier_definition_of_a_name_is_not_read()
    {
        var before = new ComputedTraits([Trait("orders", Count, types: ["purchase"])]);
        var after = new ComputedTraits([Trait("orders", Count, types: ["purchase", "return"])]);
        var content = Fold(before, [Touch("p", DaysAgo(1), "web", "purchase")]);

        Assert.Equal("0", Values(after, content)["orders"]);
    }

    [Fact]
    public void A_profile_folded_before_a_trait_existed_does_not_claim_to_cover_it_even_after_merges()
    {
        var before = new ComputedTraits([Trait("orders", Count, types: ["purchase"])]);
        var after = new ComputedTraits([Trait("orders", Count, types: ["purchase"]), Trait("views", Count, types: ["page_view"])]);
        var old = Fold(before, [Touch("a", DaysAgo(3), "web", "page_view")]);
        var recent = Fold(after, [Touch("b", DaysAgo(1), "web", "page_view")]);

        Assert.True(before.AreCoveredBy(old.ComputedCoverage));
        Assert.False(after.AreCoveredBy(old.ComputedCoverage));
        Assert.True(after.AreCoveredBy(recent.ComputedCoverage));
        old.Add(Touch("c", DaysAgo(0), "web", "page_view"), after);
        Assert.False(after.AreCoveredBy(old.ComputedCoverage));
        recent.Merge(old);
        Assert.False(after.AreCoveredBy(recent.ComputedCoverage));
        Assert.True(before.AreCoveredBy(recent.ComputedCoverage));
    }

    private static List<Touchpoint> RandomTouchpoints(Random random, int count, int distinctCategories = 150)
    {
        string[] channels = ["web", "app", "store", "email", "call_center"];
        string[] types = ["purchase", "add_to_cart", "page_view", "purchase"];
        object?[] amounts = [12.5, 89.90, 0.1, 1999, -5, "12", null, 3.333];
        // Many touchpoints share a time, so ties are decided by id; offsets differ for the same instant.
        return [.. Enumerable.Range(0, count).Select(n => Touch(
            $"tp-{n:D5}",
            DaysAgo(random.Next(-1, 500), hour: 0).AddMinutes(random.Next(0, 3) * 30).ToOffset(TimeSpan.FromHours(random.Next(-3, 4))),
            channels[random.Next(channels.Length)],
            types[random.Next(types.Length)],
            new Dictionary<string, object?>
            {
                ["amount"] = amounts[random.Next(amounts.Length)],
                ["category"] = random.Next(4) == 0 ? null : $"cat-{random.Next(distinctCategories):D3}",
                ["storeId"] = $"S{random.Next(6)}",
                ["sku"] = $"sku-{random.Next(1500)}",
                ["currency"] = random.Next(3) == 0 ? "USD" : "EUR",
            }.Where(p => p.Value is not null).ToDictionary()))];
    }
}
