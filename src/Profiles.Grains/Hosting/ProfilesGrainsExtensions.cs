using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Storage;
using Profiles.Core.Personalisation;
using Profiles.Core.Rules;
using Profiles.Grains.Journey;
using Profiles.Grains.Resolution;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains;

public static class ProfilesGrainsExtensions
{
    /// <summary>The grains' services, shared by the node and the test clusters.</summary>
    public static ISiloBuilder AddProfilesGrains(this ISiloBuilder silo)
    {
        // Grain state is stored in Orleans' binary format: several times cheaper than the default JSON.
        silo.Services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        silo.AddIncomingGrainCallFilter<StorageFailureFilter>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton(IdentityRules.None);
        silo.Services.TryAddSingleton(Personalisation.None);
        silo.Services.AddSingleton<IdentifierCache>();
        silo.Services.AddSingleton<TouchpointIngestor>();
        silo.Services.AddSingleton<ProfileReader>();
        silo.Services.AddSingleton<ProfileEraser>();
        silo.Services.TryAddSingleton<IJourneyStore, InMemoryJourneyStore>();
        return silo;
    }

    /// <summary>Journeys in Redis instead of memory; call before <see cref="AddProfilesGrains"/>.</summary>
    public static ISiloBuilder AddRedisJourneyStore(this ISiloBuilder silo, ConfigurationOptions redis)
    {
        silo.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis));
        silo.Services.AddSingleton<IJourneyStore, RedisJourneyStore>();
        return silo;
    }
}
