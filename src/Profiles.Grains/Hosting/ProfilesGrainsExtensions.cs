using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Profiles.Grains.Journey;
using Profiles.Grains.Resolution;

namespace Profiles.Grains;

public static class ProfilesGrainsExtensions
{
    /// <summary>The grains' services, shared by the node and the test clusters.</summary>
    public static ISiloBuilder AddProfilesGrains(this ISiloBuilder silo)
    {
        silo.Services.AddProfilesSerializer();
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<TouchpointIngestor>();
        silo.Services.AddSingleton<ProfileReader>();
        silo.Services.AddSingleton<IJourneyStore, InMemoryJourneyStore>();
        return silo;
    }

    /// <summary>Profiles.Core stays free of Orleans, so its types travel between grains (and to clients)
    /// with System.Text.Json.</summary>
    public static IServiceCollection AddProfilesSerializer(this IServiceCollection services) =>
        services.AddSerializer(serializer => serializer.AddJsonSerializer(
            isSupported: type => type.Namespace?.StartsWith("Profiles.Core", StringComparison.Ordinal) == true));
}
