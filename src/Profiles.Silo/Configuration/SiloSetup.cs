using System.Net;
using Orleans.Configuration;
using Profiles.Grains;
using Profiles.Grains.History;

namespace Profiles.Silo.Configuration;

/// <summary>How this process's silo is wired: the embedded default, or a cluster on Redis.</summary>
public static class SiloSetup
{
    /// <summary>The storage Orleans streams keep their subscriptions in.</summary>
    public const string PubSubStore = "PubSubStore";

    public static void Configure(ISiloBuilder silo, ProfilesOptions options, HistoryOptions history)
    {
        if (options.IsEmbedded)
        {
            // The history tier takes old items from Redis journeys; the embedded default keeps its journeys in memory.
            if (history.IsEnabled) throw new InvalidOperationException($"{HistoryOptions.Section}:Connection needs Profiles:Redis: the embedded default has no history tier.");
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            silo.AddMemoryGrainStorage(ProfilesStorage.Name);
            silo.AddMemoryGrainStorage(PubSubStore);
        }
        else
        {
            var redis = RedisConnection.Options(options.Redis!);
            silo.Configure<ClusterOptions>(cluster => (cluster.ClusterId, cluster.ServiceId) = (options.ClusterId, options.ServiceId));
            silo.ConfigureEndpoints(AdvertisedAddress(options.AdvertisedAddress), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
            silo.UseRedisClustering(clustering => clustering.ConfigurationOptions = redis);
            silo.AddRedisGrainStorage(PubSubStore, storage => (storage.ConfigurationOptions, storage.DeleteStateOnClear) = (redis, true));
            ValidateReplicaWait(options);
            silo.AddRedisStores(redis, options.WaitReplicas, options.WaitReplicasTimeout);
            if (history.IsEnabled) silo.AddHistoryTier(history.Connection!);
            silo.Configure<ClusterMembershipOptions>(MembershipTimeouts.Apply);
            silo.Configure<SiloMessagingOptions>(MembershipTimeouts.Apply);
        }
        silo.AddProfilesGrains();
    }

    /// <summary>A WAIT blocks the connection it is sent on, and what queues behind it counts against the client's 2 s
    /// command timeout (<see cref="RedisConnection.Options"/>): a second at most leaves room for both.</summary>
    private static void ValidateReplicaWait(ProfilesOptions options)
    {
        if (options.WaitReplicas < 0) throw new InvalidOperationException("Profiles:WaitReplicas must be 0 (do not wait for replicas) or more.");
        if (options.WaitReplicas > 0 && (options.WaitReplicasTimeout < TimeSpan.FromMilliseconds(1) || options.WaitReplicasTimeout > TimeSpan.FromSeconds(1)))
        {
            throw new InvalidOperationException("Profiles:WaitReplicasTimeout must be from 00:00:00.001 to 00:00:01.");
        }
    }

    private static IPAddress AdvertisedAddress(string address) =>
        IPAddress.TryParse(address, out var ip) ? ip
        : Dns.GetHostAddresses(address).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
          ?? throw new InvalidOperationException($"Profiles:AdvertisedAddress '{address}' does not resolve to an IPv4 address.");
}
