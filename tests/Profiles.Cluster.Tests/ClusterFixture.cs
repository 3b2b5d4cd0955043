using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Profiles.Contracts;
using Profiles.Core.Personalisation;
using Profiles.Core.Touchpoints;
using Profiles.Grains;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Identity;
using Orleans.Storage;
using Profiles.Grains.Journey;
using Profiles.Grains.Changes;
using Microsoft.Extensions.Options;
using Profiles.Grains.Resolution;
using Profiles.Grains.Standing;
using Profiles.Grains.Writes;
using Profiles.Core.Profiles;
using Profiles.Testing;

namespace Profiles.Cluster.Tests;

/// <summary>
/// A two-silo Orleans cluster. Its silos share one journey store, as every node of a real cluster shares
/// Redis: in memory, where grain storage is the memory provider, itself a grain and so shared across the silos;
/// or Redis, grain state included, as a node in Redis mode keeps them.
/// </summary>
public sealed class TwoSiloCluster : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;

    private TwoSiloCluster(InProcessTestCluster cluster) => _cluster = cluster;

    /// <param name="redis">A Redis connection string (one server or a cluster's seeds); null: every store in memory.</param>
    /// <param name="configure">Services a test gives each silo in place of the grains' defaults, such as identity rules
    /// or computed traits, audiences and consent purposes.</param>
    /// <param name="waitReplicas">On Redis, how many replicas must have a write before it is done (0: none).</param>
    public static async Task<TwoSiloCluster> StartAsync(string? redis = null, Action<IServiceCollection>? configure = null, int waitReplicas = 0)
    {
        var stores = InMemoryStores.Create(Options.Create(new ChangeFeedOptions()), TimeProvider.System);
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            if (redis is null)
            {
                silo.AddMemoryGrainStorage(ProfilesStorage.Name);
                silo.AddInMemoryStores(_ => stores);
            }
            else
            {
                var options = RedisConnection.Options(redis);
                silo.AddRedisStores(options, waitReplicas, TimeSpan.FromMilliseconds(300));
            }
            configure?.Invoke(silo.Services);
            silo.AddProfilesGrains();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new TwoSiloCluster(cluster);
    }

    /// <summary>The ingestor of one silo: writers spread over silos write from different nodes.</summary>
    public TouchpointIngestor Ingestor(int silo) => Service<TouchpointIngestor>(silo);

    public ProfileReader Reader(int silo = 0) => Service<ProfileReader>(silo);

    /// <summary>The erasure of a customer (<c>DELETE /v1/profiles/{id}</c>), on one silo.</summary>
    public ProfileEraser Eraser(int silo) => Service<ProfileEraser>(silo);

    /// <summary>The change feed as one silo reads it.</summary>
    public IChangeFeed Feed(int silo) => Service<IChangeFeed>(silo);

    /// <summary>What rids the Redis feed of erased customers' changes, on one silo (Redis only).</summary>
    public RedisFeedErasure FeedErasure(int silo) => Service<RedisFeedErasure>(silo);

    /// <summary>The journeys as one silo reads them from storage.</summary>
    public IJourneyStore Journeys(int silo) => Service<IJourneyStore>(silo);

    /// <summary>The operator's unlink and relink, on one silo.</summary>
    public IdentityCorrections Corrections(int silo) => Service<IdentityCorrections>(silo);

    /// <summary>Grains as a client reaches them, one call at a time.</summary>
    public IGrainFactory Grains => _cluster.Client;

    public Task<IngestOutcome[]> IngestAsync(params Touchpoint[] touchpoints) => Ingestor(0).IngestAsync(touchpoints);

    public Task<ProfileSnapshot> LookupAsync(string type, string value) => LookupAsync(new IdentifierInput(type, value));

    public async Task<ProfileSnapshot> LookupAsync(IdentifierInput identifier) =>
        await Reader().FindByIdentifierAsync(TestIdentifiers.Read(identifier).Key)
        ?? throw new Xunit.Sdk.XunitException($"No profile for {identifier}");

    /// <summary>Every touchpoint id of a profile's journey, newest first, read page by page.</summary>
    public async Task<List<string>> JourneyIdsAsync(string profileId, int pageSize = 37) =>
        [.. (await JourneyAsync(profileId, pageSize)).Select(t => t.Id)];

    /// <summary>Every touchpoint of a profile's journey, operator entries included, newest first, read page by page.</summary>
    public async Task<List<Touchpoint>> JourneyAsync(string profileId, int pageSize = 37)
    {
        var touchpoints = new List<Touchpoint>();
        JourneyPosition? after = null;
        do
        {
            var page = await Reader().ReadJourneyAsync(profileId, after, pageSize) ?? throw new Xunit.Sdk.XunitException($"No journey for {profileId}");
            touchpoints.AddRange(page.Items);
            after = page.Next;
        } while (after is not null);
        return touchpoints;
    }

    /// <summary>Overwrites a profile's stored state as a node killed at some point would have left it. The
    /// grain is deactivated first, so its next call activates it from this state.</summary>
    public async Task RewriteStoredStateAsync(string profileId, Action<ProfileState> crashLeftIt)
    {
        var (grainId, state) = await DeactivateAndReadAsync(profileId);
        crashLeftIt(state.State!);
        await Service<IGrainStorage>(0, ProfilesStorage.Name).WriteStateAsync("profile", grainId, state);
    }

    /// <summary>A profile's state as grain storage holds it after the grain deactivated, which writes its snapshot.</summary>
    public async Task<ProfileState> ReadStoredStateAsync(string profileId) => (await DeactivateAndReadAsync(profileId)).State.State!;

    private async Task<(GrainId GrainId, GrainState<ProfileState> State)> DeactivateAndReadAsync(string profileId)
    {
        var grain = _cluster.Client.GetGrain<IProfileGrain>(profileId);
        await _cluster.DeactivateAsync(grain);
        var state = new GrainState<ProfileState>();
        await Service<IGrainStorage>(0, ProfilesStorage.Name).ReadStateAsync("profile", grain.GetGrainId(), state);
        return (grain.GetGrainId(), state);
    }

    /// <summary>Merges <paramref name="loser"/> into the smaller <paramref name="survivor"/> as the ingestor does when a
    /// touchpoint links them, without the touchpoint.</summary>
    public async Task MergeAsync(string loser, string survivor)
    {
        var reply = await _cluster.Client.GetGrain<IProfileMerge>(loser).MergeInto(survivor, new Orleans.Concurrency.Immutable<IdentifierRef[]>([]));
        Assert.True(reply.IsDone, $"The merge of {loser} into {survivor} was not done: {reply}");
    }

    /// <summary>The statistics as <c>/v1/stats</c> reads them: the sum over every shard.</summary>
    public Task<StandingTotals> TotalsAsync() => Service<IStandingStore>(0).ReadTotalsAsync();

    /// <summary>The cluster-wide audience member index and figures, as one silo reads them.</summary>
    public IStandingStore Standings(int silo) => Service<IStandingStore>(silo);

    /// <summary>The standing a profile holding <paramref name="content"/> reports, as its grain works it out.</summary>
    public ProfileStanding StandingOf(ProfileContent content) => Service<StandingCalculator>(0).Of(content);

    /// <summary>Records a profile's standing as the store would hold it had a report been lost in a crash.</summary>
    public Task RestoreStandingAsync(string profileId, ProfileStanding standing) => Service<ProfileWriter>(0).ReportAsync(profileId, standing, []);

    private T Service<T>(int silo, string key) where T : notnull =>
        _cluster.Silos[silo % _cluster.Silos.Count].ServiceProvider.GetRequiredKeyedService<T>(key);

    private T Service<T>(int silo) where T : notnull => _cluster.Silos[silo % _cluster.Silos.Count].ServiceProvider.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }
}

/// <summary>Two independent clusters, so the same touchpoints can be fed to each in a different order.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TwoSiloCluster Cluster { get; private set; } = null!;

    public TwoSiloCluster Twin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var started = await Task.WhenAll(TwoSiloCluster.StartAsync(), TwoSiloCluster.StartAsync());
        (Cluster, Twin) = (started[0], started[1]);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Twin.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "two-silo clusters";
}
