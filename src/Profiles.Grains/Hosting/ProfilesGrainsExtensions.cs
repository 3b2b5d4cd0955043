using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Persistence;
using Npgsql;
using Orleans.Providers;
using Orleans.Storage;
using Profiles.Core.Personalisation;
using Orleans.Streams;
using Profiles.Contracts.Live;
using Profiles.Core.Rules;
using Profiles.Grains.Calls;
using Profiles.Grains.Changes;
using Profiles.Grains.History;
using Profiles.Grains.Journey;
using Profiles.Grains.Identity;
using Profiles.Grains.Live;
using Profiles.Grains.Resolution;
using Profiles.Grains.Retention;
using Profiles.Grains.Standing;
using Profiles.Grains.Storage;
using Profiles.Grains.Writes;
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
        silo.Services.TryAddSingleton<IStorageGate, OpenStorageGate>();
        // An identifier grain deactivates as soon as it is idle after a change, and a call that reaches it meanwhile is
        // forwarded to its next activation; with many writers on one identifier, Orleans' two forwards were not always
        // enough, and the call failed although it never ran.
        silo.Configure<Orleans.Configuration.SiloMessagingOptions>(messaging => messaging.MaxForwardCount = 8);
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton(IdentityRules.None);
        silo.Services.AddOptions<ChangeFeedOptions>();
        silo.Services.AddOptions<RetentionOptions>()
            .Validate(o => o.Interval > TimeSpan.Zero, $"{RetentionOptions.Section}:Interval must be a positive duration.")
            .Validate(o => o.Touchpoints is not { } keep || keep > TimeSpan.Zero, $"{RetentionOptions.Section}:Touchpoints must be a positive duration (730.00:00:00), or unset to keep touchpoints.")
            .Validate(o => o.AnonymousProfiles is not { } keep || keep > TimeSpan.Zero, $"{RetentionOptions.Section}:AnonymousProfiles must be a positive duration (90.00:00:00), or unset to keep anonymous profiles.")
            .ValidateOnStart();
        silo.Services.TryAddSingleton<FeedClock>();
        silo.Services.TryAddSingleton<StandingCalculator>();
        silo.Services.AddOptions<AudienceRecheckOptions>();
        silo.Services.AddSingleton<AudienceRecheck>();
        silo.Services.AddHostedService(services => services.GetRequiredService<AudienceRecheck>());
        silo.Services.AddOptions<StatsOptions>()
            .Validate(o => o.SampleInterval >= TimeSpan.FromSeconds(1) && o.SampleInterval <= TimeSpan.FromHours(1),
                $"{StatsOptions.Section}:SampleInterval must be from 00:00:01 to 01:00:00.")
            .ValidateOnStart();
        silo.Services.AddHostedService<StatsSampler>();
        silo.Services.TryAddSingleton(Personalisation.None);
        // One source for the purposes: the touchpoint parser reads decisions for the purposes personalisation evaluates.
        silo.Services.TryAddSingleton(services => services.GetRequiredService<Personalisation>().Consent);
        silo.Services.AddSingleton<IdentifierCache>();
        silo.Services.TryAddSingleton<IIdentifierPointers, GrainIdentifierPointers>();
        silo.Services.AddSingleton<ProfileCalls>();
        silo.Services.AddSingleton<ComponentResolver>();
        silo.Services.AddSingleton<IdentityCorrections>();
        silo.Services.AddSingleton<TouchpointIngestor>();
        silo.Services.AddSingleton<ProfileReader>();
        silo.Services.AddSingleton<ProfileEraser>();
        silo.Services.AddSingleton<TouchpointIntake>();
        silo.Services.AddHostedService<RetentionSweeps>();
        if (!silo.Services.Any(s => s.ServiceType == typeof(IJourneyStore))) silo.AddInMemoryStores(InMemoryStores.Create);
        silo.Services.AddSingleton<ProfileWriter>();
        if (!silo.Services.Any(s => s.IsKeyedService && Equals(s.ServiceKey, ProfilesStorage.Identifiers))) silo.AddMemoryGrainStorage(ProfilesStorage.Identifiers);
        silo.Services.TryAddSingleton<IStatsHistory, InMemoryStatsHistory>();
        silo.AddLiveStreams();
        return silo;
    }

    /// <summary>
    /// The live streams (<see cref="LiveStreams"/>) on Orleans memory streams: their queues are grains, so they span
    /// the cluster's nodes and reach external clients through any gateway, with no store of their own; subscriptions are
    /// kept in the <c>PubSubStore</c> grain storage (Redis in Redis mode, so they outlive a node).
    /// </summary>
    private static void AddLiveStreams(this ISiloBuilder silo)
    {
        var hasPubSubStore = silo.Services.Any(s => s.IsKeyedService && Equals(s.ServiceKey, ProviderConstants.DEFAULT_PUBSUB_PROVIDER_NAME));
        if (!hasPubSubStore) silo.AddMemoryGrainStorage(ProviderConstants.DEFAULT_PUBSUB_PROVIDER_NAME);
        silo.AddMemoryStreams(LiveStreams.Provider, streams =>
        {
            streams.ConfigurePartitioning(LiveStreams.Queues);
            streams.ConfigureStreamPubSub(StreamPubSubType.ExplicitGrainBasedOnly);
            // Queues are polled: the period bounds how late a signal is (docs/PERFORMANCE.md, watch latency).
            streams.ConfigurePullingAgent(agent => agent.Configure(options => options.GetQueueMsgsTimerPeriod = LivePolling.Period));
        });
        silo.Services.AddSingleton<LiveSignals>();
    }

    /// <summary>Journeys, standings and the change feed in Redis; call before <see cref="AddProfilesGrains"/>.</summary>
    /// <param name="waitReplicas">How many replicas must have a write before it is acknowledged (0: none, the master's
    /// answer is enough), and how long to wait for them (<see cref="ReplicaWait"/>).</param>
    public static ISiloBuilder AddRedisStores(this ISiloBuilder silo, ConfigurationOptions redis, int waitReplicas = 0, TimeSpan waitReplicasTimeout = default)
    {
        silo.AddGrainStateStorage(redis, waitReplicas, waitReplicasTimeout);
        silo.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis));
        silo.Services.AddSingleton(_ => new StorageHealthConnection(ConnectionMultiplexer.Connect(redis)));
        silo.Services.AddSingleton<IJourneyStore, RedisJourneyStore>();
        silo.Services.AddMetrics(); // RedisWrites' meter factory: a host has one already, a bare silo builder may not
        if (waitReplicas > 0) silo.Services.AddSingleton(_ => new ReplicaWait(ConnectionMultiplexer.Connect(redis), waitReplicas, waitReplicasTimeout));
        silo.Services.AddSingleton(s => new RedisWrites(s.GetRequiredService<IConnectionMultiplexer>(), s.GetRequiredService<FeedClock>(),
            s.GetRequiredService<IMeterFactory>(), s.GetService<ReplicaWait>(), s.GetService<HistoryTier>()));
        silo.Services.AddSingleton<IWriteStore>(s => s.GetRequiredService<RedisWrites>());
        silo.Services.AddSingleton<RedisIdentifierPointers>();
        silo.Services.AddSingleton<IIdentifierPointers>(s => s.GetRequiredService<RedisIdentifierPointers>());
        silo.Services.AddKeyedSingleton<IGrainStorage>(ProfilesStorage.Identifiers,
            (s, _) => new RedisIdentifierStorage(s.GetRequiredService<RedisWrites>(), s.GetRequiredService<RedisIdentifierPointers>()));
        silo.Services.AddSingleton<IStandingStore, RedisStandingStore>();
        silo.Services.AddSingleton<IChangeFeed, RedisChangeFeed>();
        silo.Services.AddSingleton<RedisFeedErasure>();
        silo.Services.AddHostedService(s => s.GetRequiredService<RedisFeedErasure>());
        silo.Services.AddSingleton<IStatsHistory, RedisStatsHistory>();
        return silo;
    }

    /// <summary>Profiles' and resolutions' state in Orleans' Redis grain storage. Cleared state is deleted, not kept as
    /// an empty record: an erased customer leaves no key behind. With replicas required, the storage writes through a
    /// <see cref="ReplicaWait"/> of its own, and a write is done once the replicas have it
    /// (<see cref="ReplicatedGrainStorage"/>). Its own: a WAIT blocks its connection up to the timeout while replicas
    /// are behind, and snapshot writes queued behind the group commit's WAITs (or these behind them) timed out.</summary>
    private static void AddGrainStateStorage(this ISiloBuilder silo, ConfigurationOptions redis, int waitReplicas, TimeSpan waitReplicasTimeout)
    {
        var replicas = waitReplicas > 0 ? new Lazy<ReplicaWait>(() => new ReplicaWait(ConnectionMultiplexer.Connect(redis), waitReplicas, waitReplicasTimeout)) : null;
        silo.AddRedisGrainStorage(ProfilesStorage.Name, options => options.Configure<IServiceProvider>((storage, services) =>
        {
            var serviceId = services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;
            (storage.ConfigurationOptions, storage.DeleteStateOnClear) = (redis, true);
            storage.GetStorageKey = (stateName, grainId) => RedisLayout.GrainState(serviceId, grainId, stateName);
            if (replicas is not null) storage.CreateMultiplexer = _ => Task.FromResult((replicas.Value.Connection, true));
        }));
        if (replicas is null) return;
        silo.Services.AddKeyedSingleton<IGrainStorage>(ProfilesStorage.Name, (services, _) => new ReplicatedGrainStorage(
            RedisGrainStorageFactory.Create(services, ProfilesStorage.Name),
            replicas.Value,
            services.GetRequiredService<IOptionsMonitor<RedisStorageOptions>>().Get(ProfilesStorage.Name).GetStorageKey!));
    }

    /// <summary>The history tier on PostgreSQL (<see cref="HistoryMover"/>, <see cref="HistoryTier"/>), behind the Redis
    /// stores; call with <see cref="AddRedisStores"/>, before <see cref="AddProfilesGrains"/>.</summary>
    public static ISiloBuilder AddHistoryTier(this ISiloBuilder silo, string connection)
    {
        silo.Services.AddOptions<HistoryOptions>()
            .Validate(o => o.HotDays >= 0, $"{HistoryOptions.Section}:HotDays must be a whole number of days, 0 or more.")
            .ValidateOnStart();
        silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(connection));
        silo.Services.AddSingleton<PostgresHistory>();
        silo.Services.AddSingleton<HistoryTier>();
        silo.Services.AddSingleton<HistoryMover>();
        silo.Services.AddHostedService(s => s.GetRequiredService<HistoryMover>());
        return silo;
    }

    /// <summary>The in-memory stores; several silos given the same instance share them, as nodes share Redis.</summary>
    public static ISiloBuilder AddInMemoryStores(this ISiloBuilder silo, Func<IServiceProvider, InMemoryStores> stores)
    {
        silo.Services.AddSingleton(stores);
        silo.Services.AddSingleton<IJourneyStore>(s => s.GetRequiredService<InMemoryStores>().Journeys);
        silo.Services.AddSingleton<IWriteStore>(s => s.GetRequiredService<InMemoryStores>().Journeys);
        silo.Services.AddSingleton<IStandingStore>(s => s.GetRequiredService<InMemoryStores>().Standings);
        silo.Services.AddSingleton<IChangeFeed>(s => s.GetRequiredService<InMemoryStores>().Feed);
        return silo;
    }
}

/// <summary>The embedded default's journeys, standings and feed: the journeys apply write records to all three, as
/// one Redis script call does.</summary>
public sealed record InMemoryStores(InMemoryJourneyStore Journeys, InMemoryStandingStore Standings, InMemoryChangeFeed Feed)
{
    public static InMemoryStores Create(IServiceProvider services) =>
        Create(services.GetRequiredService<IOptions<ChangeFeedOptions>>(), services.GetRequiredService<TimeProvider>());

    public static InMemoryStores Create(IOptions<ChangeFeedOptions> options, TimeProvider time)
    {
        var feed = new InMemoryChangeFeed(options, time);
        var standings = new InMemoryStandingStore(feed);
        return new InMemoryStores(new InMemoryJourneyStore(standings, feed, time), standings, feed);
    }
}
