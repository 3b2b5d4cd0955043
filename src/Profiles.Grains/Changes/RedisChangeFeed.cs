using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.Changes;

/// <summary>The feed in Redis: one Redis Stream per shard (<see cref="RedisLayout.Changes"/>), read in parallel and
/// merged by <see cref="FeedMerge"/>. Consumers that prefer it may also read the streams with consumer groups.</summary>
public sealed class RedisChangeFeed(IConnectionMultiplexer redis) : IChangeFeed
{
    public Task<FeedPage> ReadAsync(FeedCursor after, int limit) => FeedMerge.ReadAsync(after, limit, ReadShardAsync);

    private async Task<IReadOnlyList<ShardEntry>> ReadShardAsync(int shard, StreamPosition after, int count)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(RedisLayout.Changes(shard), $"({after}", "+", count);
        return [.. entries.Select(entry => new ShardEntry(shard, StreamPosition.Parse(entry.Id!), RedisFeed.Change(entry.Values)))];
    }
}

/// <summary>How a change is written as the fields of a stream entry, and read back.</summary>
public static class RedisFeed
{
    public static List<RedisValue> Fields(ProfileChange change)
    {
        var fields = new List<RedisValue> { "type", change.Type, "profileId", change.ProfileId, "at", change.At.ToString("O") };
        foreach (var (name, value) in change.Details)
        {
            fields.Add(name);
            fields.Add(value);
        }
        return fields;
    }

    public static ProfileChange Change(NameValueEntry[] fields)
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
