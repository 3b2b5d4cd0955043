using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Profiles.Core.Personalisation;
using Profiles.Core.Rules;
using Profiles.Grains.Changes;
using Profiles.Grains.Journey;
using Profiles.Grains.Resolution;
using Profiles.Grains.Standing;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains;

public static class ProfilesGrainsExtensions
{
    /// <summary>The grains' services, shared by the node and the test clusters. Stores not registered before
    /// (<see cref="AddRedisStores"/>, <see cref="AddInMemoryStores"/>) are the embedded default's, in memory.</summary>
    public static ISiloBuilder AddProfilesGrains(this ISiloBuilder silo)
    {
        // Grain state is stored in Orleans' binary format: several times cheaper than the default JSON.
        silo.Services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        silo.AddIncomingGrainCallFilter<StorageFailureFilter>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton(IdentityRules.None);
        silo.Services.AddOptions<ChangeFeedOptions>();
        silo.Services.TryAddSingleton<FeedClock>();
        silo.Services.TryAddSingleton<StandingCalculator>();
        silo.Services.TryAddSingleton(Personalisation.None);
        silo.Services.AddSingleton<IdentifierCache>();
        silo.Services.AddSingleton<TouchpointIngestor>();
        silo.Services.AddSingleton<ProfileReader>();
        silo.Services.AddSingleton<ProfileEraser>();
        if (!silo.Services.Any(s => s.ServiceType == typeof(IJourneyStore))) silo.AddInMemoryStores(InMemoryStores.Create);
        return silo;
    }

    /// <summary>Journeys, standings and the change feed in Redis; call before <see cref="AddProfilesGrains"/>.</summary>
    public static ISiloBuilder AddRedisStores(this ISiloBuilder silo, ConfigurationOptions redis)
    {
        silo.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis));
        silo.Services.AddSingleton<IJourneyStore, RedisJourneyStore>();
        silo.Services.AddSingleton<IStandingStore, RedisStandingStore>();
        silo.Services.AddSingleton<IChangeFeed, RedisChangeFeed>();
        return silo;
    }

    /// <summary>The in-memory stores; several silos given the same instance share them, as nodes share Redis.</summary>
    public static ISiloBuilder AddInMemoryStores(this ISiloBuilder silo, Func<IServiceProvider, InMemoryStores> stores)
    {
        silo.Services.AddSingleton(stores);
        silo.Services.AddSingleton<IJourneyStore>(s => s.GetRequiredService<InMemoryStores>().Journeys);
        silo.Services.AddSingleton<IStandingStore>(s => s.GetRequiredService<InMemoryStores>().Standings);
        silo.Services.AddSingleton<IChangeFeed>(s => s.GetRequiredService<InMemoryStores>().Feed);
        return silo;
    }
}

/// <summary>The embedded default's journeys, standings and feed, which write to each other as the Redis scripts do.</summary>
public sealed record InMemoryStores(InMemoryJourneyStore Journeys, InMemoryStandingStore Standings, InMemoryChangeFeed Feed)
{
    public static InMemoryStores Create(IServiceProvider services) =>
        Create(services.GetRequiredService<IOptions<ChangeFeedOptions>>(), services.GetRequiredService<TimeProvider>());

    public static InMemoryStores Create(IOptions<ChangeFeedOptions> options, TimeProvider time)
    {
        var feed = new InMemoryChangeFeed(options, time);
        var standings = new InMemoryStandingStore(feed, time);
        return new InMemoryStores(new InMemoryJourneyStore(standings, feed, time), standings, feed);
    }
}
