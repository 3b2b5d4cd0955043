using System.Diagnostics;

namespace Profiles.Testing;

/// <summary>
/// A real Redis Cluster: several masters without replicas, each a <see cref="RedisServer"/> (free loopback port,
/// own folder, append-only file on) with cluster mode on, joined by <c>redis-cli --cluster create</c>, which
/// spreads the 16,384 hash slots evenly over them. Ready once every master reports <c>cluster_state:ok</c>.
/// </summary>
public sealed class RedisClusterServer : ITestRedis
{
    private RedisClusterServer(IReadOnlyList<RedisServer> masters) => Masters = masters;

    public IReadOnlyList<RedisServer> Masters { get; }

    /// <summary>Every master as a seed: a client finds the slot map from any of them.</summary>
    public string ConnectionString => string.Join(',', Masters.Select(master => master.ConnectionString));

    public static async Task<RedisClusterServer> StartAsync(int masters)
    {
        var started = new List<Task<RedisServer>>();
        try
        {
            for (var i = 0; i < masters; i++)
            {
                // The cluster bus port is the data port + 10,000 unless named, and nothing says that one is free.
                started.Add(RedisServer.StartAsync("--cluster-enabled", "yes", "--cluster-port", FreePort.Next().ToString(),
                    "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"));
            }
            var cluster = new RedisClusterServer(await Task.WhenAll(started));
            await cluster.CreateAsync();
            return cluster;
        }
        catch
        {
            foreach (var server in started.Where(s => s.IsCompletedSuccessfully)) await server.Result.DisposeAsync();
            throw;
        }
    }

    private async Task CreateAsync()
    {
        using var create = Process.Start(new ProcessStartInfo("redis-cli",
            ["--cluster", "create", .. Masters.Select(master => master.ConnectionString), "--cluster-replicas", "0", "--cluster-yes"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = create.StandardOutput.ReadToEndAsync();
        var errors = create.StandardError.ReadToEndAsync();
        await create.WaitForExitAsync();
        if (create.ExitCode != 0) throw new InvalidOperationException($"redis-cli --cluster create failed:\n{await output}\n{await errors}");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var master in Masters)
        {
            while (!(await master.CliAsync("cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The Redis Cluster never reached cluster_state:ok on port {master.Port}.");
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var master in Masters) await master.DisposeAsync();
    }
}
