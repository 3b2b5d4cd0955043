using Profiles.Testing;

namespace Profiles.Client.Tests;

/// <summary>A real redis-server and two Profiles nodes started as a user starts them, and a storefront's client that
/// finds their gateways through Redis.</summary>
public sealed class RedisNodesFixture : IAsyncLifetime
{
    public string ClusterId { get; } = $"client-{Guid.NewGuid():n}"[..16];

    public RedisServer Redis { get; private set; } = null!;

    public NodeProcess One { get; private set; } = null!;

    public NodeProcess Two { get; private set; } = null!;

    public ClientHost Client { get; private set; } = null!;

    public IProfilesClient Profiles => Client.Profiles;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        try
        {
            One = await NodeProcess.StartAsync(Redis.ConnectionString, ClusterId);
            Two = await NodeProcess.StartAsync(Redis.ConnectionString, ClusterId);
            Client = await ClientHost.StartAsync(o => (o.Redis, o.ClusterId) = (Redis.ConnectionString, ClusterId));
        }
        catch
        {
            // xunit does not dispose a fixture whose initialisation failed: leave no process behind.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Live stream subscriptions the grains of both nodes hold a lease for (<c>profiles_live_stream_leases</c>).</summary>
    /// <summary>Waits up to <paramref name="within"/> for the nodes to hold <paramref name="expected"/> stream leases, and
    /// answers how many they hold then: leases of a watch that ended are given back in the background.</summary>
    public async Task<long> StreamLeasesAsync(long expected, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var leases = await StreamLeasesAsync();
            if (leases == expected || DateTime.UtcNow > deadline) return leases;
            await Task.Delay(100);
        }
    }

    public async Task<long> StreamLeasesAsync()
    {
        long leases = 0;
        foreach (var node in new[] { One, Two })
        {
            var metrics = await node.Http.GetStringAsync("/metrics");
            leases += metrics.Split('\n')
                .Where(line => line.StartsWith("profiles_live_stream_leases", StringComparison.Ordinal))
                .Sum(line => long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        return leases;
    }

    public async Task DisposeAsync()
    {
        if (Client is not null) await Client.DisposeAsync();
        foreach (var node in new[] { One, Two }.Where(node => node is not null)) await node.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
    }
}
