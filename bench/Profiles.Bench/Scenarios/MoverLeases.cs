using Profiles.Grains.Storage;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// Every shard's history lease, held by the bench as a node holds one while it moves that shard: a node's mover skips
/// the shards whose lease another holds, so while the bench holds them all nothing moves, and the next round after
/// <see cref="ReleaseAsync"/> moves everything due.
/// </summary>
public sealed class MoverLeases(RedisProbe redis)
{
    /// <summary>Longer than any run: a bench killed holding them leaves a node that moves again within the hour.</summary>
    private const string LeaseMilliseconds = "3600000";

    private readonly string _holder = "bench-" + Guid.NewGuid().ToString("n");

    /// <summary>Takes every lease, waiting for any a node holds for its round in progress.</summary>
    public async Task HoldAsync(CancellationToken ct)
    {
        foreach (var shard in Shards.All)
        {
            while (await redis.CommandAsync("SET", Key(shard), _holder, "NX", "PX", LeaseMilliseconds).ConfigureAwait(false) is null)
                await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    public async Task ReleaseAsync()
    {
        foreach (var shard in Shards.All)
        {
            if (await redis.CommandAsync("GET", Key(shard)).ConfigureAwait(false) as string == _holder)
                await redis.CommandAsync("DEL", Key(shard)).ConfigureAwait(false);
        }
    }

    private static string Key(int shard) => RedisLayout.HistoryLease(shard)!;
}
