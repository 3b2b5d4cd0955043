using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Profiles.Contracts.Live;
using StackExchange.Redis;

namespace Profiles.Client;

public static class ProfilesClientExtensions
{
    /// <summary>
    /// Registers <see cref="IProfilesClient"/> and the Orleans client under it. The client connects when the host
    /// starts (ASP.NET Core or the Generic Host), and keeps trying while no gateway answers, so a storefront may start
    /// before the cluster.
    /// </summary>
    public static IServiceCollection AddProfilesClient(this IServiceCollection services, Action<ProfilesClientOptions> configure)
    {
        var options = new ProfilesClientOptions();
        configure(options);
        if (string.IsNullOrWhiteSpace(options.Redis) == (options.Gateways.Count == 0))
        {
            throw new ArgumentException("Profiles client: set either Redis (the cluster's Redis) or Gateways (host:port of the nodes' gateways), not both.");
        }

        services.AddSingleton<LiveWatches>();
        services.AddSingleton<IProfilesClient, ProfilesClient>();
        services.AddOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(cluster => (cluster.ClusterId, cluster.ServiceId) = (options.ClusterId, options.ServiceId));
            if (string.IsNullOrWhiteSpace(options.Redis))
            {
                client.UseStaticClustering([.. options.Gateways.Select(EndPointOf)]);
            }
            else
            {
                client.UseRedisClustering(redis => redis.ConfigurationOptions = ConfigurationOptions.Parse(options.Redis));
            }
            client.AddMemoryStreams(LiveStreams.Provider, streams => streams.ConfigurePartitioning(LiveStreams.Queues));
            client.Services.AddSingleton<IClusterConnectionStatusObserver>(provider => provider.GetRequiredService<LiveWatches>());
            client.UseConnectionRetryFilter(async (_, cancellationToken) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return true;
            });
        });
        return services;
    }

    private static IPEndPoint EndPointOf(string gateway)
    {
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), out var port))
        {
            throw new ArgumentException($"Profiles client: gateway '{gateway}' is not host:port.");
        }
        var host = gateway[..colon];
        var address = IPAddress.TryParse(host, out var ip) ? ip
            : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
              ?? throw new ArgumentException($"Profiles client: gateway host '{host}' does not resolve to an IPv4 address.");
        return new IPEndPoint(address, port);
    }
}
