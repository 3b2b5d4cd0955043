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
public sealed record ShardEntry(int Shard, StreamPosition Position, ProfileChange Change);

/// <summary>
/// Reads every shard after the cursor and merges their entries by position (time, then sequence, then shard).
/// Each shard is asked for a few entries only; where a shard had more, nothing later than its last entry read is
/// returned yet, so no entry of any shard is ever skipped.
/// </summary>
public static class FeedMerge
{
    /// <param name="after">Where the reader is.</param>
    /// <param name="limit">The most entries to return.</param>
    /// <param name="readShard">Reads up to <c>count</c> entries of a shard strictly after a position, oldest first.</param>
    public static async Task<FeedPage> ReadAsync(FeedCursor after, int limit, Func<int, StreamPosition, int, Task<IReadOnlyList<ShardEntry>>> readShard)
    {
        var perShard = Math.Max(8, (int)Math.Ceiling(limit * 4.0 / Storage.Shards.Count));
        var read = await Task.WhenAll(Storage.Shards.All.Select(shard => readShard(shard, after[shard], perShard)));
        var boundary = read.Where(entries => entries.Count >= perShard).Select(entries => entries[^1].Position).DefaultIfEmpty(new StreamPosition(long.MaxValue, long.MaxValue)).Min();
        var page = read.SelectMany(entries => entries)
            .Where(entry => entry.Position <= boundary)
            .OrderBy(entry => entry.Position).ThenBy(entry => entry.Shard)
            .Take(limit)
            .ToList();
        var cursor = after;
        var items = new List<FeedItem>(page.Count);
        foreach (var entry in page)
        {
            cursor = cursor.With(entry.Shard, entry.Position);
            items.Add(new FeedItem(cursor.Encode(), entry.Change));
        }
        return new FeedPage(items, cursor.Encode());
    }
}
