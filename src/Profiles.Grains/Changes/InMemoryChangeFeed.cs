using Microsoft.Extensions.Options;
using Profiles.Grains.Storage;

namespace Profiles.Grains.Changes;

/// <summary>The embedded default's feed: per shard a list in memory, with positions like Redis Stream ids.</summary>
public sealed class InMemoryChangeFeed(IOptions<ChangeFeedOptions> options, TimeProvider time) : IChangeFeed
{
    private readonly List<ShardEntry>[] _shards = [.. Shards.All.Select(_ => new List<ShardEntry>())];

    public void Append(string profileId, ProfileChange change)
    {
        var shard = Shards.Of(profileId);
        var entries = _shards[shard];
        lock (entries)
        {
            var now = time.GetUtcNow();
            var last = entries.Count > 0 ? entries[^1].Position : StreamPosition.Start;
            var ms = now.ToUnixTimeMilliseconds();
            var position = ms > last.Milliseconds ? new StreamPosition(ms, 0) : last with { Sequence = last.Sequence + 1 };
            entries.Add(new ShardEntry(shard, position, change));
            var oldest = (now - options.Value.Retention).ToUnixTimeMilliseconds();
            var expired = entries.FindIndex(e => e.Position.Milliseconds >= oldest);
            if (expired > 0) entries.RemoveRange(0, expired);
        }
    }

    /// <summary>Takes every change that names an erased profile out of the feed at once (the tombstone stays): the
    /// embedded default can afford to walk its feed on each erasure.</summary>
    public void Forget(string erasedProfileId)
    {
        foreach (var entries in _shards)
        {
            lock (entries)
            {
                entries.RemoveAll(entry => entry.Change.ErasedWithProfiles().Contains(erasedProfileId, StringComparer.Ordinal));
            }
        }
    }

    public Task<FeedPage> ReadAsync(FeedCursor after, int limit) => FeedMerge.ReadAsync(after, limit, ReadShard);

    private Task<IReadOnlyList<ShardEntry>> ReadShard(int shard, StreamPosition after, int count)
    {
        var entries = _shards[shard];
        lock (entries)
        {
            return Task.FromResult<IReadOnlyList<ShardEntry>>([.. entries.Where(e => e.Position > after).Take(count)]);
        }
    }
}
