namespace Profiles.Grains.Changes;

/// <summary>
/// The durable, ordered feed of changes (docs/API.md, "Change feed"). Writers append to it inside the same atomic write
/// as the change (the journey append, a standing report, an erasure); this is the reading side.
/// </summary>
public interface IChangeFeed
{
    /// <summary>Up to <paramref name="limit"/> changes after <paramref name="after"/>, oldest first.</summary>
    Task<FeedPage> ReadAsync(FeedCursor after, int limit);
}

/// <summary>One stored entry of one shard's feed.</summary>
/// <param name="OfErasedCustomer">A change of a customer erased since, which readers no longer see (<see cref="ProfileChange.ErasedWithProfiles"/>)
/// and which is on its way out of storage.</param>
public sealed record ShardEntry(int Shard, StreamPosition Position, ProfileChange Change, bool OfErasedCustomer = false);

/// <summary>
/// Reads every shard after the cursor and merges their entries by position (time, then sequence, then shard).
/// Each shard is asked for a few entries only; where a shard had more, nothing later than its last entry read is
/// returned yet, so no entry of any shard is ever skipped. Changes of erased customers are stepped over: the cursor
/// moves past them, and a page is empty only when nothing after the cursor is left to read, so a follower that takes an
/// empty page for "caught up" is right.
/// </summary>
public static class FeedMerge
{
    /// <param name="after">Where the reader is.</param>
    /// <param name="limit">The most entries to return.</param>
    /// <param name="readShard">Reads up to <c>count</c> entries of a shard strictly after a position, oldest first.</param>
    public static async Task<FeedPage> ReadAsync(FeedCursor after, int limit, Func<int, StreamPosition, int, Task<IReadOnlyList<ShardEntry>>> readShard)
    {
        var perShard = Math.Max(8, (int)Math.Ceiling(limit * 4.0 / Storage.Shards.Count));
        var cursor = after;
        var items = new List<FeedItem>();
        bool more;
        do
        {
            var from = cursor;
            var read = await Task.WhenAll(Storage.Shards.All.Select(shard => readShard(shard, from[shard], perShard)));
            more = read.Any(entries => entries.Count >= perShard);
            var boundary = read.Where(entries => entries.Count >= perShard).Select(entries => entries[^1].Position).DefaultIfEmpty(new StreamPosition(long.MaxValue, long.MaxValue)).Min();
            var merged = read.SelectMany(entries => entries)
                .Where(entry => entry.Position <= boundary)
                .OrderBy(entry => entry.Position).ThenBy(entry => entry.Shard);
            foreach (var entry in merged)
            {
                if (items.Count == limit) break;
                cursor = cursor.With(entry.Shard, entry.Position);
                if (!entry.OfErasedCustomer) items.Add(new FeedItem(cursor.Encode(), entry.Change));
            }
        } while (items.Count == 0 && more);
        return new FeedPage(items, cursor.Encode());
    }
}
