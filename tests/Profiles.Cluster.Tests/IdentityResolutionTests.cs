using Profiles.Contracts;
using Profiles.Core.Touchpoints;
using Profiles.Testing;

namespace Profiles.Cluster.Tests;

/// <summary>What always holds (docs/API.md), on a cluster of two silos.</summary>
[Collection(ClusterCollection.Name)]
public class IdentityResolutionTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 8, 0, 0, TimeSpan.FromHours(1));
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Retroactive_stitching_puts_the_cookie_history_into_the_profile_at_login()
    {
        var cookie = $"cookie-{_run}";
        var email = $"paul.{_run}@example.com";
        await fixture.Cluster.IngestAsync(
            Touch("browse-1", 0, "web", "page_view", ("cookie", cookie)),
            Touch("browse-2", 1, "web", "add_to_cart", ("cookie", cookie)));
        var anonymous = await fixture.Cluster.LookupAsync("cookie", cookie);
        Assert.Equal(2, anonymous.Content.Touchpoints);

        await fixture.Cluster.IngestAsync(Touch("login", 2, "web", "login", ("cookie", cookie), ("email", email)));

        var customer = await fixture.Cluster.LookupAsync("email", email);
        Assert.Equal(3, customer.Content.Touchpoints);
        Assert.Equal(customer.ProfileId, (await fixture.Cluster.LookupAsync("cookie", cookie)).ProfileId);
        Assert.Equal([Id("login"), Id("browse-2"), Id("browse-1")], await fixture.Cluster.JourneyIdsAsync(customer.ProfileId));
    }

    [Fact]
    public async Task A_profile_id_merged_away_answers_with_the_surviving_profile()
    {
        var first = (await fixture.Cluster.IngestAsync(Touch("a", 0, "web", "signup", ("email", $"a.{_run}@example.com"))))[0].ProfileId;
        var second = (await fixture.Cluster.IngestAsync(Touch("b", 1, "store", "purchase", ("loyalty_id", $"L-{_run}"))))[0].ProfileId;
        Assert.NotEqual(first, second);

        var survivor = (await fixture.Cluster.IngestAsync(
            Touch("link", 2, "crm", "import", ("email", $"a.{_run}@example.com"), ("loyalty_id", $"L-{_run}"))))[0].ProfileId;

        foreach (var id in new[] { first, second, survivor })
        {
            var profile = await fixture.Cluster.Reader(1).FindByIdAsync(id);
            Assert.NotNull(profile);
            Assert.Equal(survivor, profile.ProfileId);
            Assert.Equal(3, profile.Content.Touchpoints);
            Assert.Equal(3, (await fixture.Cluster.JourneyIdsAsync(id)).Count);
        }
        Assert.Contains(new[] { first, second }.Single(id => id != survivor), (await fixture.Cluster.Reader().FindByIdAsync(survivor))!.MergedProfileIds);
    }

    [Fact]
    public async Task Re_sent_touchpoints_are_duplicates_and_change_nothing()
    {
        var email = $"dup.{_run}@example.com";
        var batch = Enumerable.Range(0, 20).Select(n => Touch($"d{n}", n, "email", "email_open", ("email", email))).ToArray();
        var first = await fixture.Cluster.IngestAsync(batch);
        Assert.All(first, o => Assert.True(o.IsNew));
        var before = await fixture.Cluster.LookupAsync("email", email);

        // Again, concurrently from both silos, in other orders and mixed with a new touchpoint.
        var again = await Task.WhenAll(Enumerable.Range(0, 8).Select(w =>
            fixture.Cluster.Ingestor(w).IngestAsync([.. batch.OrderBy(_ => Random.Shared.Next())])));
        Assert.All(again.SelectMany(o => o), o => Assert.False(o.IsNew));

        var after = await fixture.Cluster.LookupAsync("email", email);
        Assert.Equal(CanonicalContent.Of(before.Content), CanonicalContent.Of(after.Content));
        Assert.Equal(20, (await fixture.Cluster.JourneyIdsAsync(after.ProfileId)).Count);
    }

    [Fact]
    public async Task A_duplicate_stays_a_duplicate_after_its_profile_was_merged_away()
    {
        var early = Touch("early", 0, "web", "page_view", ("cookie", $"c-{_run}"));
        await fixture.Cluster.IngestAsync(early);
        await fixture.Cluster.IngestAsync(Touch("login", 1, "web", "login", ("email", $"m.{_run}@example.com")));
        await fixture.Cluster.IngestAsync(Touch("join", 2, "web", "login", ("email", $"m.{_run}@example.com"), ("cookie", $"c-{_run}")));

        var resent = await fixture.Cluster.IngestAsync(early);

        Assert.False(resent[0].IsNew);
        Assert.Equal(3, (await fixture.Cluster.LookupAsync("cookie", $"c-{_run}")).Content.Touchpoints);
    }

    [Fact]
    public async Task Sixteen_concurrent_writers_on_overlapping_identifiers_give_the_partition_of_an_independent_union_find()
    {
        var specs = new OverlappingLinksPopulation(_run, seed: 7, customers: 60, identifiersPerCustomer: 5).Touchpoints(1600);

        await Replay(fixture.Cluster, Shuffled(specs, seed: 1), writers: 16, batch: 25);

        var expected = new GroundTruth(specs);
        var profileOf = new Dictionary<IdentifierInput, string>();
        foreach (var identifier in expected.Identifiers)
        {
            profileOf[identifier] = (await fixture.Cluster.LookupAsync(identifier)).ProfileId;
        }
        foreach (var a in expected.Identifiers)
        {
            foreach (var b in expected.Identifiers)
            {
                Assert.Equal(expected.Connected(a, b), profileOf[a] == profileOf[b]);
            }
        }
        foreach (var profile in expected.Profiles())
        {
            var journey = await fixture.Cluster.JourneyIdsAsync(profileOf[profile.Identifiers[0]]);
            Assert.Equal(profile.TouchpointIds.Order(), journey.Order());
        }
    }

    [Fact]
    public async Task Two_clusters_fed_the_same_touchpoints_in_different_orders_hold_the_same_content()
    {
        var specs = new OverlappingLinksPopulation(_run, seed: 11, customers: 25, identifiersPerCustomer: 4).Touchpoints(600);

        await Task.WhenAll(
            Replay(fixture.Cluster, Shuffled(specs, seed: 2), writers: 16, batch: 10),
            Replay(fixture.Twin, Shuffled(specs, seed: 3), writers: 16, batch: 40));

        foreach (var profile in new GroundTruth(specs).Profiles())
        {
            var one = await fixture.Cluster.LookupAsync(profile.Identifiers[0]);
            var other = await fixture.Twin.LookupAsync(profile.Identifiers[0]);
            Assert.Equal(CanonicalContent.Of(one.Content), CanonicalContent.Of(other.Content));
            Assert.Equal(await fixture.Cluster.JourneyIdsAsync(one.ProfileId), await fixture.Twin.JourneyIdsAsync(other.ProfileId));
        }
    }

    private static List<Touchpoint> Shuffled(List<TouchpointSpec> specs, int seed)
    {
        var random = new Random(seed);
        return [.. specs.OrderBy(_ => random.Next()).Select(TestTouchpoints.Of)];
    }

    /// <summary>Writers take batches off one queue and send them through the silos in turn.</summary>
    private static Task Replay(TwoSiloCluster cluster, List<Touchpoint> touchpoints, int writers, int batch) =>
        ConcurrentWriters.RunAsync(touchpoints, batch, writers, async (writer, next) =>
        {
            var outcomes = await cluster.Ingestor(writer).IngestAsync(next);
            Assert.All(outcomes, o => Assert.True(o.IsNew));
        });

    private string Id(string name) => $"{_run}-{name}";

    private Touchpoint Touch(string name, int minutes, string channel, string type, params (string, string)[] identifiers) =>
        TestTouchpoints.Make(Id(name), Start.AddMinutes(minutes), channel, type, identifiers);
}
