using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;
using Orleans.TestingHost;
using Profiles.Contracts.Live;
using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Touchpoints;
using Profiles.Grains;
using Profiles.Grains.Changes;
using Profiles.Testing;

namespace Profiles.Client.Tests;

/// <summary>
/// Two silos on real sockets (Orleans' TestCluster), with the Profiles client connected to both gateways as a
/// storefront configures it (<c>o.Gateways</c>). The silos share one journey store, as nodes share Redis. They count
/// orders, place buyers in an audience and know the shipped consent purposes.
/// </summary>
public sealed class TwoSiloClusterFixture : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private ClientHost _client = null!;

    public IProfilesClient Profiles => _client.Profiles;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        // Real sockets, not the test cluster's in-memory transport: the client connects as a storefront's does.
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.AddSiloBuilderConfigurator<ProfilesSilo>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        _client = await ClientHost.StartAsync(o =>
        {
            o.ClusterId = _cluster.Options.ClusterId;
            o.ServiceId = _cluster.Options.ServiceId;
            o.Gateways = [.. _cluster.Silos.Select(silo => silo.GatewayAddress.Endpoint.ToString())];
        });
    }

    /// <summary>The subscriptions the cluster keeps for the live stream of <paramref name="target"/>.</summary>
    public async Task<int> SubscriptionsAsync(LiveTarget target)
    {
        var streams = _cluster.GetSiloServiceProvider().GetRequiredKeyedService<IStreamProvider>(LiveStreams.Provider);
        var manager = ((IStreamSubscriptionManagerRetriever)streams).GetStreamSubscriptionManager()!;
        return (await manager.GetSubscriptions(LiveStreams.Provider, LiveStreams.Of(target))).Count();
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    /// <summary>A silo as the node wires it, with the test hash key.</summary>
    public sealed class ProfilesSilo : ISiloConfigurator
    {
        private static readonly InMemoryStores Stores = InMemoryStores.Create(Options.Create(new ChangeFeedOptions()), TimeProvider.System);

        private static readonly ComputedTraits Orders = new([new ComputedTraitDefinition("orders", ComputedTraitKind.Count, null,
            new TouchpointFilter(null, new HashSet<string>(StringComparer.Ordinal) { "purchase" }, new Dictionary<string, IReadOnlySet<string>>()), null,
            ComputedTraitDefinition.DefaultHalfLifeDays)]);

        private static readonly Personalisation Personalisation = new(Orders, new Audiences([new("buyers", "orders > 0")], Orders), ConsentPurposes.Shipped);

        public void Configure(ISiloBuilder silo)
        {
            silo.AddMemoryGrainStorage(ProfilesStorage.Name);
            silo.AddInMemoryStores(_ => Stores);
            silo.Services.AddSingleton(TestIdentifiers.Reader);
            silo.Services.AddSingleton<TouchpointParser>();
            silo.Services.AddSingleton(Personalisation);
            silo.AddProfilesGrains();
        }
    }
}
