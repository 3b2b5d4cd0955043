using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Profiles.Core.Consent;
using Profiles.Grains.Changes;
using Profiles.Grains.Journey;
using Profiles.Grains.Standing;
using Profiles.Grains.Storage;
using Profiles.Testing;
using Profiles.Grains.Writes;
using StackExchange.Redis;

namespace Profiles.Cluster.Tests;

/// <summary>A two-silo cluster whose grain state, journeys, figures and feed are on a real three-master Redis
/// Cluster: a profile's keys and another's may sit on different masters, each written on its own.</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    public RedisClusterServer Redis { get; private set; } = null!;

    public TwoSiloCluster Cluster { get; private set; } = null!;

    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    /// <summary>Meters for the stores the tests open themselves, apart from the cluster's.</summary>
    public IMeterFactory Meters => _meters.GetRequiredService<IMeterFactory>();

    public async Task InitializeAsync()
    {
        Redis = await RedisClusterServer.StartAsync(masters: 3);
        try
        {
            Cluster = await TwoSiloCluster.StartAsync(Redis.ConnectionString);
        }
        catch
        {
            // xunit does not dispose a fixture whose initialisation failed: leave no process behind.
            await Redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>The journeys, their writer and the standings of one kind of store, as a node opens them: "redis" on
    /// this cluster, on a connection of its own for the caller to dispose; "memory" the embedded default's (no
    /// connection). The Redis writes record on <paramref name="meters"/>, by default <see cref="Meters"/>.</summary>
    public async Task<(IJourneyStore Journeys, ProfileWriter Writer, IStandingStore Standings, ConnectionMultiplexer? Redis)> OpenStoresAsync(
        string store, IMeterFactory? meters = null)
    {
        if (store == "memory")
        {
            var feed = new InMemoryChangeFeed(Options.Create(new ChangeFeedOptions()), TimeProvider.System);
            var standings = new InMemoryStandingStore(feed);
            var journeys = new InMemoryJourneyStore(standings, feed, TimeProvider.System);
            return (journeys, new ProfileWriter(journeys, TimeProvider.System, ConsentPurposes.Shipped), standings, null);
        }
        // A test's own writes wait as long as needed: on two loaded cores the test process itself can stall for
        // seconds (its two silos share it), and a timeout there would fail the test, not show a defect.
        var options = ConfigurationOptions.Parse(Redis.ConnectionString);
        options.AsyncTimeout = options.SyncTimeout = (int)TestTimeout.TotalMilliseconds;
        var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var writes = new RedisWrites(redis, new FeedClock(Options.Create(new ChangeFeedOptions()), TimeProvider.System), meters ?? Meters);
        return (new RedisJourneyStore(redis, new StorageHealthConnection(redis)), new ProfileWriter(writes, TimeProvider.System, ConsentPurposes.Shipped), new RedisStandingStore(redis), redis);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Redis.DisposeAsync();
        await _meters.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "two-silo cluster on a Redis Cluster";
}
