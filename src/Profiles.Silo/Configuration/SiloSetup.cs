using Profiles.Grains;

namespace Profiles.Silo.Configuration;

/// <summary>How this process's silo is wired: the embedded default, or (later) a Redis-backed cluster.</summary>
public static class SiloSetup
{
    public static void Configure(ISiloBuilder silo, ProfilesOptions options)
    {
        if (options.IsEmbedded)
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            silo.AddMemoryGrainStorage(ProfilesStorage.Name);
        }
        else
        {
            throw new NotSupportedException("Profiles:Redis is not supported yet by this build.");
        }
        silo.AddProfilesGrains();
    }
}
