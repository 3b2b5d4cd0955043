using Microsoft.Extensions.DependencyInjection;
using Profiles.Core.Resolution;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Changes;
using Profiles.Grains.Retention;
using Profiles.Testing;

namespace Profiles.Cluster.Tests;

/// <summary>
/// Retention on two silos, with short limits and a one-second interval: a touchpoint past
/// <c>Profiles:Retention:Touchpoints</c> leaves the journey and its content leaves storage, while its id, its links and
/// its profile's figures stay, so that a re-send is a duplicate and a split afterwards gives each part its counts; a
/// profile holding only anonymous identifiers past <c>Profiles:Retention:AnonymousProfiles</c> is erased, and its feed
/// change says why. In memory, and on a three-master Redis Cluster.
/// </summary>
public abstract class RetentionTests(TwoSiloCluster cluster)
{
    /// <summary>Both limits; the touchpoints of a test occur a second before it starts, so it has some seconds to look
    /// at them before they pass.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(8);

    public static void Configure(IServiceCollection services) => services
        .AddSingleton(EveryKindOfContent.Rules)
        .AddSingleton(EveryKindOfContent.Personalisation)
        .Configure<RetentionOptions>(retention =>
        {
            retention.Touchpoints = Limit;
            retention.AnonymousProfiles = Limit;
            retention.Interval = TimeSpan.FromSeconds(1);
        });

    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Old_touchpoints_leave_the_journey_and_storage_while_their_ids_links_and_figures_stay_and_a_split_gives_each_part_its_counts()
    {
        var now = DateTimeOffset.UtcNow;
        var (email, loyalty, cookie) = (("email", $"ann.{_run}@example.com"), ("loyalty_id", $"L-{_run}"), ("cookie", $"ck-{_run}"));
        var web = Touch("web", now.AddSeconds(-1), "web", "page_view", [loyalty], ("city", "\"Lyon\"")) with { PropertiesJson = $"{{\"secret\":\"S-{_run}\"}}" };
        var store = Touch("store", now.AddSeconds(-1), "store", "purchase", [email, loyalty]) with { PropertiesJson = "{\"amount\":12}" };
        // Already older than the retention when it arrives: it links and counts, and is in no journey.
        var old = Touch("old", now.AddDays(-1), "store", "purchase", [email, cookie], ("firstName", "\"Ann\""));

        Assert.All(await cluster.IngestAsync(web, store, old), outcome => Assert.True(outcome.IsNew));
        var before = await cluster.LookupAsync("email", email.Item2);
        Assert.Equal(3, before.Content.Touchpoints);
        Assert.Equal(3, before.Content.Identifiers.Count);
        Assert.Equal(before.ProfileId, (await cluster.LookupAsync("cookie", cookie.Item2)).ProfileId);
        Assert.Equal([store.Id, web.Id], (await cluster.JourneyIdsAsync(before.ProfileId)).Order(StringComparer.Ordinal));

        var deadline = DateTime.UtcNow + Limit + TimeSpan.FromSeconds(15);
        while ((await cluster.JourneyIdsAsync(before.ProfileId)).Count > 0 || !await ContentRemovedAsync(before))
        {
            Assert.True(DateTime.UtcNow < deadline, "The touchpoints' content did not leave storage within the retention and one interval.");
            await Task.Delay(250);
        }

        var after = await cluster.Reader(1).FindByIdAsync(before.ProfileId);
        Assert.Equal(CanonicalContent.Of(before.Content), CanonicalContent.Of(after!.Content));
        Assert.Equal(Personalised(before), Personalised(after));
        Assert.All(await cluster.Ingestor(1).IngestAsync([web, old]), outcome => Assert.False(outcome.IsNew));
        Assert.Equal(3, (await cluster.LookupAsync("loyalty_id", loyalty.Item2)).Content.Touchpoints);

        // The operator parts the e-mail from the loyalty card: the store purchase and the old one go with the e-mail
        // (their anchor), the web visit with the card, each part with its figures though their content is gone.
        var split = await cluster.Corrections(0).CorrectAsync(OperatorEntry.Unlink, before.ProfileId,
            [TestIdentifiers.Read(email.Item1, email.Item2), TestIdentifiers.Read(loyalty.Item1, loyalty.Item2)]);
        Assert.IsType<Grains.Resolution.Correction.Done>(split);
        var ann = await cluster.LookupAsync("email", email.Item2);
        var card = await cluster.LookupAsync("loyalty_id", loyalty.Item2);
        Assert.NotEqual(ann.ProfileId, card.ProfileId);
        Assert.Equal((2, 2L), (ann.Content.Identifiers.Count, ann.Content.Touchpoints));
        Assert.Equal(2, ann.Content.Channels["store"].Touchpoints);
        Assert.Equal("\"Ann\"", ann.Content.Traits["firstName"].ValueJson);
        Assert.False(ann.Content.Traits.ContainsKey("city"));
        Assert.Equal((1, 1L), (card.Content.Identifiers.Count, card.Content.Touchpoints));
        Assert.Equal(1, card.Content.Channels["web"].Touchpoints);
        Assert.Equal("\"Lyon\"", card.Content.Traits["city"].ValueJson);
        Assert.Equal(ann.ProfileId, (await cluster.LookupAsync("cookie", cookie.Item2)).ProfileId);
    }

    [Fact]
    public async Task A_profile_holding_only_anonymous_identifiers_is_erased_with_the_reason_retention_and_an_identified_one_stays()
    {
        var now = DateTimeOffset.UtcNow;
        var (visitor, device, known) = (("cookie", $"anon-{_run}"), ("device_id", $"dev-{_run}"), ("cookie", $"known-{_run}"));
        var email = ("email", $"known.{_run}@example.com");
        await cluster.IngestAsync(
            Touch("anon", now.AddSeconds(-1), "web", "page_view", [visitor, device]),
            Touch("known", now.AddSeconds(-1), "web", "page_view", [email, known]));
        var anonymous = await cluster.LookupAsync("cookie", visitor.Item2);
        var identified = await cluster.LookupAsync("cookie", known.Item2);

        var deadline = DateTime.UtcNow + Limit + TimeSpan.FromSeconds(15);
        while (await cluster.Reader(1).FindByIdentifierAsync(TestIdentifiers.Read(visitor.Item1, visitor.Item2).Key) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "The anonymous profile was not erased within the retention and one interval.");
            await Task.Delay(250);
        }

        Assert.Null(await cluster.Reader(0).FindByIdAsync(anonymous.ProfileId));
        Assert.Null(await cluster.Reader(0).FindByIdentifierAsync(TestIdentifiers.Read(device.Item1, device.Item2).Key));
        Assert.Equal(identified.ProfileId, (await cluster.LookupAsync("email", email.Item2)).ProfileId);
        var changes = await ReadAllAsync(cluster.Feed(1));
        var tombstone = Assert.Single(changes, c => c.ProfileId == anonymous.ProfileId);
        Assert.Equal(ChangeTypes.Erased, tombstone.Type);
        Assert.Contains(new KeyValuePair<string, string>(ProfileChange.Reason, ErasureReasons.Retention), tombstone.Details);
        Assert.DoesNotContain(changes, c => c.ProfileId == identified.ProfileId && c.Type == ChangeTypes.Erased);
    }

    /// <summary>Whether every journey the profile answers for holds its touchpoints without their content, as storage has them.</summary>
    private async Task<bool> ContentRemovedAsync(ProfileSnapshot profile)
    {
        var journeys = cluster.Journeys(0);
        foreach (var journeyId in new[] { profile.ProfileId }.Concat(profile.MergedProfileIds))
        {
            var stored = await journeys.ReadWholeAsync(journeyId);
            if (stored.Any(t => !t.ContentRemoved)) return false;
            Assert.All(stored, t => Assert.True(t.Traits.Count == 0 && t.PropertiesJson is null && t.Channel.Length == 0));
        }
        return true;
    }

    private static string Personalised(ProfileSnapshot profile) =>
        string.Join(";", profile.Personalised.Names.Zip(profile.Personalised.Computed, (name, value) =>
            $"{name}={value.Kind}:{value.Number}:{value.Text}:{string.Join(',', value.Scores ?? [])}").Append(string.Join(',', profile.Personalised.Audiences)));

    private static async Task<List<ProfileChange>> ReadAllAsync(IChangeFeed feed)
    {
        var changes = new List<ProfileChange>();
        var cursor = FeedCursor.Start;
        while (true)
        {
            var page = await feed.ReadAsync(cursor, 500);
            if (page.Items.Count == 0) return changes;
            changes.AddRange(page.Items.Select(item => item.Change));
            Assert.True(FeedCursor.TryParse(page.NextCursor, out cursor));
        }
    }

    private Touchpoint Touch(string name, DateTimeOffset at, string channel, string type, (string, string)[] identifiers, params (string, string?)[] traits)
    {
        var touchpoint = TestTouchpoints.Make($"{_run}-{name}", at, channel, type, identifiers, traits);
        // Strongest first, as the parser orders them.
        return touchpoint with { Identifiers = [.. touchpoint.Identifiers.Order(Comparer<IdentifierRef>.Create(EveryKindOfContent.Rules.Compare))] };
    }
}

/// <summary>Every store in memory, as the embedded default keeps them.</summary>
public sealed class InMemoryRetentionFixture : IAsyncLifetime
{
    public TwoSiloCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TwoSiloCluster.StartAsync(configure: RetentionTests.Configure);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class InMemoryRetentionTests(InMemoryRetentionFixture fixture) : RetentionTests(fixture.Cluster), IClassFixture<InMemoryRetentionFixture>;

/// <summary>Grain state, journeys, figures and feed on a three-master Redis Cluster of its own.</summary>
public sealed class RedisClusterRetentionFixture : IAsyncLifetime
{
    private RedisClusterServer _redis = null!;

    public TwoSiloCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisClusterServer.StartAsync(masters: 3);
        Cluster = await TwoSiloCluster.StartAsync(_redis.ConnectionString, RetentionTests.Configure);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await _redis.DisposeAsync();
    }
}

public sealed class RedisClusterRetentionTests(RedisClusterRetentionFixture fixture) : RetentionTests(fixture.Cluster), IClassFixture<RedisClusterRetentionFixture>;
