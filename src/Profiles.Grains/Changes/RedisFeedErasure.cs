using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Profiles.Grains.Journey;
using Profiles.Grains.Retention;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.Changes;

/// <summary>
/// Rids the Redis feed of erased customers' changes within one <see cref="RetentionOptions.Interval"/> of the erasure.
/// Each erased profile leaves its marker in its shard's <see cref="RedisLayout.FeedErasures"/>, in the erasure's own
/// write. Every interval, the node that takes the lease reads the markers of every shard and, when there are any,
/// walks every shard's stream and deletes (XDEL) each change that names one of those profiles
/// (<see cref="ProfileChange.ErasedWithProfiles"/>), then drops the markers it handled. Every shard, not only the erased
/// profiles': a profile merged into another customer's before a resolution moved it on is named by that customer's
/// <c>merged</c> change, in that customer's shard. Readers step over those changes from the erasure on
/// (<see cref="RedisChangeFeed"/>), so this only takes them out of storage.
/// </summary>
public sealed class RedisFeedErasure(IConnectionMultiplexer redis, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RedisFeedErasure> logger)
    : BackgroundService
{
    /// <summary>Entries read at a time while walking a stream: a few hundred kilobytes, no long command.</summary>
    private const int WalkPage = 1000;

    private readonly string _leaseHolder = Guid.NewGuid().ToString("n");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Interval;
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                await ForgetUnderLeaseAsync(interval, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Storage away or a node leaving: the markers stay, and the next round takes them.
                logger.LogWarning("Ridding the feed of erased customers' changes failed ({Reason}); trying again in {Interval}", e.GetBaseException().GetType().Name, interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Only one node walks the feed at a time; the lease lapses after one interval should its holder die.</summary>
    private async Task ForgetUnderLeaseAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        if (!await db.LockTakeAsync(RedisLayout.FeedErasureLease, _leaseHolder, interval)) return;
        try
        {
            await ForgetAsync(cancellationToken);
        }
        finally
        {
            await db.LockReleaseAsync(RedisLayout.FeedErasureLease, _leaseHolder);
        }
    }

    /// <summary>Deletes from the feed every change of the profiles erased since the last time, and forgets them.</summary>
    /// <returns>How many changes it deleted.</returns>
    public async Task<long> ForgetAsync(CancellationToken cancellationToken = default)
    {
        var db = redis.GetDatabase();
        var pending = await Task.WhenAll(Shards.All.Select(shard => db.SetMembersAsync(RedisLayout.FeedErasures(shard))));
        var markers = pending.SelectMany(shard => shard).Select(marker => (string)marker!).ToHashSet(StringComparer.Ordinal);
        if (markers.Count == 0) return 0;
        long deleted = 0;
        foreach (var shard in Shards.All) deleted += await ForgetInShardAsync(db, shard, markers, cancellationToken);
        await Task.WhenAll(Shards.All.Where(shard => pending[shard].Length > 0).Select(shard => db.SetRemoveAsync(RedisLayout.FeedErasures(shard), pending[shard])));
        return deleted;
    }

    private static async Task<long> ForgetInShardAsync(IDatabase db, int shard, HashSet<string> markers, CancellationToken cancellationToken)
    {
        var stream = RedisLayout.Changes(shard);
        var from = "-";
        long deleted = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entries = await db.StreamRangeAsync(stream, from, "+", WalkPage);
            RedisValue[] erased = [.. entries
                .Where(entry => RedisFeed.Change(entry.Values).ErasedWithProfiles().Any(id => markers.Contains(ErasureMarker.Of(id))))
                .Select(entry => entry.Id)];
            if (erased.Length > 0) deleted += await db.StreamDeleteAsync(stream, erased);
            if (entries.Length < WalkPage) return deleted;
            from = $"({entries[^1].Id}";
        }
    }
}
