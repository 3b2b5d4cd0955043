namespace Profiles.Testing;

/// <summary>The Redis a test runs Profiles on: one redis-server (<see cref="RedisServer"/>) or a Redis Cluster
/// (<see cref="RedisClusterServer"/>). Tests written against this run unchanged on either.</summary>
public interface ITestRedis : IAsyncDisposable
{
    /// <summary>What a node is given as <c>Profiles:Redis</c>.</summary>
    string ConnectionString { get; }

    /// <summary>The servers that hold data: the one server, or every master of the cluster.</summary>
    IReadOnlyList<RedisServer> Masters { get; }
}

/// <summary>Which Redis a test starts; a theory over both shows that a behaviour holds the same on each.</summary>
public enum RedisTopology
{
    OneServer,
    ThreeMasterCluster,
}

public static class TestRedis
{
    public static async Task<ITestRedis> StartAsync(this RedisTopology topology) => topology switch
    {
        RedisTopology.OneServer => await RedisServer.StartAsync(),
        RedisTopology.ThreeMasterCluster => await RedisClusterServer.StartAsync(masters: 3),
        _ => throw new ArgumentOutOfRangeException(nameof(topology), topology, null),
    };

    /// <summary>Every key and value on every master, as text: erased data must be gone from all of them.</summary>
    public static async Task<string> DumpAsync(this ITestRedis redis) =>
        string.Concat(await Task.WhenAll(redis.Masters.Select(master => master.DumpAsync())));

    /// <summary>The first key matching <paramref name="pattern"/> and the master holding it (its index in
    /// <see cref="ITestRedis.Masters"/>): on a cluster every key lives on exactly one master.</summary>
    public static async Task<(int Master, string Key)> FindKeyAsync(this ITestRedis redis, string pattern)
    {
        var found = await Task.WhenAll(redis.Masters.Select(master => master.KeysAsync(pattern)));
        var master = Array.FindIndex(found, keys => keys.Count > 0);
        return master >= 0 ? (master, found[master][0]) : throw new Xunit.Sdk.XunitException($"No key matches {pattern} on any master.");
    }
}
