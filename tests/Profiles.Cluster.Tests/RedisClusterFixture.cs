using Microsoft.Extensions.Options;
using Profiles.Grains.Changes;
using Profiles.Grains.Journey;
using Profiles.Grains.Storage;
using Profiles.Testing;
using Profiles.Grains.Writes;
using StackExchange.Redis;

namespace Profiles.Cluster.Tests;

/// <summary>A two-silo cluster whose grain state, journeys, figures and feed are on a real three-master Redis
/// Cluster: a profile's keys and another's may sit on different masters, each written on its own.</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    public RedisClusterServer Redis { get; private set; } = null!;

    public TwoSiloCluster Cluster { get; private set; } = null!;

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

    /// <summary>A journey store on the cluster as a node opens it, and its writer, on a connection of its own for the
    /// caller to dispose.</summary>
    public async Task<(RedisJourneyStore Journeys, ProfileWriter Writer, ConnectionMultiplexer Redis)> OpenJourneyStoreAsync()
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        var writes = new RedisWrites(redis, new FeedClock(Options.Create(new ChangeFeedOptions()), TimeProvider.System));
        return (new RedisJourneyStore(redis, new StorageHealthConnection(redis)), new ProfileWriter(writes, TimeProvider.System), redis);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "two-silo cluster on a Redis Cluster";
}
