using System.Diagnostics;

namespace Profiles.Testing;

/// <summary>
/// A real Redis Cluster: several masters, without replicas or with one each, each server a <see cref="RedisServer"/>
/// (free loopback port, own folder, append-only file on) with cluster mode on, joined by <c>redis-cli --cluster
/// create</c>, which spreads the 16,384 hash slots evenly over the masters. Ready once every server reports
/// <c>cluster_state:ok</c> and every replica has synchronised with its master.
/// </summary>
public sealed class RedisClusterServer : ITestRedis
{
    private readonly IReadOnlyList<RedisServer> _servers;

    private RedisClusterServer(IReadOnlyList<RedisServer> servers, IReadOnlyList<RedisServer> masters)
    {
        _servers = servers;
        Masters = masters;
    }

    /// <summary>The servers that were masters when the cluster was made.</summary>
    public IReadOnlyList<RedisServer> Masters { get; }

    /// <summary>Every master as a seed: a client finds the slot map from any of them.</summary>
    public string ConnectionString => string.Join(',', Masters.Select(master => master.ConnectionString));

    /// <summary>Masters without replicas, with a node timeout of 5 s.</summary>
    public static Task<RedisClusterServer> StartAsync(int masters) => StartAsync(masters, replicasPerMaster: 0, nodeTimeout: TimeSpan.FromSeconds(5));

    /// <summary>Masters with one replica each, and a node timeout of 2 s: a replica takes over from a master that stopped
    /// answering about 3 s after it stopped.</summary>
    public static Task<RedisClusterServer> StartReplicatedAsync(int masters) => StartAsync(masters, replicasPerMaster: 1, nodeTimeout: TimeSpan.FromSeconds(2));

    private static async Task<RedisClusterServer> StartAsync(int masters, int replicasPerMaster, TimeSpan nodeTimeout)
    {
        var started = new List<Task<RedisServer>>();
        try
        {
            for (var i = 0; i < masters * (1 + replicasPerMaster); i++)
            {
                // The cluster bus port is the data port + 10,000 unless named, and nothing says that one is free.
                started.Add(RedisServer.StartAsync("--cluster-enabled", "yes", "--cluster-port", FreePort.Next().ToString(),
                    "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", ((int)nodeTimeout.TotalMilliseconds).ToString()));
            }
            var servers = await Task.WhenAll(started);
            await CreateAsync(servers, replicasPerMaster);
            return new RedisClusterServer(servers, await MastersOnceReplicasFollowAsync(servers, masters));
        }
        catch
        {
            foreach (var server in started.Where(s => s.IsCompletedSuccessfully)) await server.Result.DisposeAsync();
            throw;
        }
    }

    /// <summary>The server that replicates <paramref name="master"/>.</summary>
    public async Task<RedisServer> ReplicaOfAsync(RedisServer master)
    {
        foreach (var server in _servers.Except(Masters))
        {
            if ((await server.CliAsync("role")).Split('\n')[2] == master.Port.ToString()) return server;
        }
        throw new InvalidOperationException($"No server replicates the master on port {master.Port}.");
    }

    private static async Task CreateAsync(IReadOnlyList<RedisServer> servers, int replicasPerMaster)
    {
        using var create = Process.Start(new ProcessStartInfo("redis-cli",
            ["--cluster", "create", .. servers.Select(server => server.ConnectionString), "--cluster-replicas", replicasPerMaster.ToString(), "--cluster-yes"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = create.StandardOutput.ReadToEndAsync();
        var errors = create.StandardError.ReadToEndAsync();
        await create.WaitForExitAsync();
        if (create.ExitCode != 0) throw new InvalidOperationException($"redis-cli --cluster create failed:\n{await output}\n{await errors}");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var server in servers)
        {
            while (!(await server.CliAsync("cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The Redis Cluster never reached cluster_state:ok on port {server.Port}.");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The masters, once every other server replicates one and is in sync with it (ROLE: <c>slave</c>, its
    /// master's address, <c>connected</c>).</summary>
    private static async Task<RedisServer[]> MastersOnceReplicasFollowAsync(IReadOnlyList<RedisServer> servers, int masters)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var roles = await Task.WhenAll(servers.Select(server => server.CliAsync("role")));
            var following = roles.Count(role => role.StartsWith("slave", StringComparison.Ordinal) && role.Split('\n')[3] == "connected");
            if (following == servers.Count - masters) return [.. servers.Where((_, i) => roles[i].StartsWith("master", StringComparison.Ordinal))];
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The Redis Cluster's replicas did not all follow a master in sync:\n{string.Join("\n--\n", roles)}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
    }
}
