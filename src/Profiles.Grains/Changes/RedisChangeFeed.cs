using Profiles.Grains.Journey;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.Changes;

/// <summary>The feed in Redis: one Redis Stream per shard (<see cref="RedisLayout.Changes"/>), read in parallel and
/// merged by <see cref="FeedMerge"/>. A change of a customer erased since is stepped over from the erasure on, by the
/// erasure markers of the profiles it names, until <see cref="RedisFeedErasure"/> has deleted it. Consumers that prefer
/// it may also read the streams with consumer groups (and then see those changes until they are deleted).</summary>
public sealed class RedisChangeFeed(IConnectionMultiplexer redis) : IChangeFeed
{
    public Task<FeedPage> ReadAsync(FeedCursor after, int limit) => FeedMerge.ReadAsync(after, limit, ReadShardAsync);

    private async Task<IReadOnlyList<ShardEntry>> ReadShardAsync(int shard, StreamPosition after, int count)
    {
        var db = redis.GetDatabase();
        var entries = await db.StreamRangeAsync(RedisLayout.Changes(shard), $"({after}", "+", count);
        var changes = entries.Select(entry => (Position: StreamPosition.Parse(entry.Id!), Change: RedisFeed.Change(entry.Values))).ToList();
        var erased = await ErasedAsync(db, changes.SelectMany(c => c.Change.ErasedWithProfiles()));
        return [.. changes.Select(c => new ShardEntry(shard, c.Position, c.Change, c.Change.ErasedWithProfiles().Any(erased.Contains)))];
    }

    /// <summary>Which of <paramref name="profileIds"/> were erased, asked of each one's shard: a change names profiles of
    /// its own shard, and now and then, as the profile merged into it, one of another.</summary>
    private static async Task<HashSet<string>> ErasedAsync(IDatabase db, IEnumerable<string> profileIds)
    {
        var found = await Task.WhenAll(profileIds.Distinct(StringComparer.Ordinal).GroupBy(Shards.Of).Select(async shard =>
        {
            string[] ids = [.. shard];
            var marked = await db.SetContainsAsync(RedisLayout.Erased(shard.Key), [.. ids.Select(id => (RedisValue)ErasureMarker.Of(id))]);
            return ids.Where((_, i) => marked[i]);
        }));
        return found.SelectMany(ids => ids).ToHashSet(StringComparer.Ordinal);
    }
}

/// <summary>
/// How a change is kept in a stream entry, and read back: one field, <c>c</c>, holding the type, the profile id, the
/// time as UTC ticks and the details as name=value, separated by the unit separator (U+001F), which no type, id,
/// channel or audience name contains. One field instead of one per part keeps each feed entry a few arguments of
/// its write record. Entries with a field per part, as earlier versions wrote them, still read.
/// </summary>
public static class RedisFeed
{
    /// <summary>The one field of an entry.</summary>
    public const string Field = "c";

    private const char Separator = '\u001f';

    public static string Encode(ProfileChange change)
    {
        var text = new System.Text.StringBuilder();
        text.Append(change.Type).Append(Separator).Append(change.ProfileId).Append(Separator).Append(change.At.UtcTicks);
        foreach (var (name, value) in change.Details) text.Append(Separator).Append(name).Append('=').Append(value);
        return text.ToString();
    }

    public static ProfileChange Change(NameValueEntry[] fields) =>
        fields is [{ Name: var name, Value: var value }] && name == Field ? Decode(value!) : ChangeOfFields(fields);

    private static ProfileChange Decode(string text)
    {
        var parts = text.Split(Separator);
        var details = parts.Skip(3).Select(part => part.Split('=', 2)).Select(nv => new KeyValuePair<string, string>(nv[0], nv[1])).ToList();
        return new ProfileChange(parts[0], parts[1], new DateTimeOffset(long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero), details);
    }

    private static ProfileChange ChangeOfFields(NameValueEntry[] fields)
    {
        string type = "", profileId = "";
        var at = DateTimeOffset.MinValue;
        var details = new List<KeyValuePair<string, string>>();
        foreach (var field in fields)
        {
            switch ((string)field.Name!)
            {
                case "type": type = field.Value!; break;
                case "profileId": profileId = field.Value!; break;
                case "at": at = DateTimeOffset.Parse(field.Value!, System.Globalization.CultureInfo.InvariantCulture); break;
                default: details.Add(new(field.Name!, field.Value!)); break;
            }
        }
        return new ProfileChange(type, profileId, at, details);
    }
}
