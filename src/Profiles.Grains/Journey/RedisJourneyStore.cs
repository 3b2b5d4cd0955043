using System.Text.Json;
using Profiles.Core.Touchpoints;
using StackExchange.Redis;

namespace Profiles.Grains.Journey;

/// <summary>
/// Journeys in Redis. Per profile: a list of touchpoint ids in append order (the log the profile snapshot
/// catches up from), a sorted set ordered for reading (members "{utcTicks:D19}\u0001{id}", all scores 0, so
/// lexicographic order is journey order), and a hash of id to touchpoint JSON. One hash maps every stored
/// touchpoint id to its profile: the global idempotency record. Each append is one Lua script, so it is
/// atomic: a touchpoint is stored whole or not at all.
/// </summary>
public sealed class RedisJourneyStore(IConnectionMultiplexer redis) : IJourneyStore
{
    private const string OwnersKey = "profiles:touchpoint-owner";
    private const string ErasedKey = "profiles:erased";
    private const int CatchUpChunk = 1000;

    private const string AppendScript = """
        local stored = {}
        for i = 2, #ARGV, 3 do
          if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1]) == 1 then
            redis.call('RPUSH', KEYS[2], ARGV[i])
            redis.call('ZADD', KEYS[3], 0, ARGV[i + 1])
            redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 2])
            stored[#stored + 1] = 1
          else
            stored[#stored + 1] = 0
          end
        end
        stored[#stored + 1] = redis.call('LLEN', KEYS[2])
        return stored
        """;

    private const string ResumeScript = """
        local erased = redis.call('SISMEMBER', KEYS[3], ARGV[3])
        local ids = redis.call('LRANGE', KEYS[1], ARGV[1], ARGV[2])
        if #ids == 0 then return { erased } end
        local found = redis.call('HMGET', KEYS[2], unpack(ids))
        table.insert(found, 1, erased)
        return found
        """;

    // In chunks: unpack() has a limit on how many values it can spread.
    private const string EraseScript = """
        local ids = redis.call('LRANGE', KEYS[2], 0, -1)
        for i = 1, #ids, 1000 do
          redis.call('HDEL', KEYS[1], unpack(ids, i, math.min(i + 999, #ids)))
        end
        redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
        redis.call('SADD', KEYS[5], ARGV[1])
        return #ids
        """;

    private const string ReadPageScript = """
        local page = {}
        for k = 1, #KEYS, 2 do
          local members = redis.call('ZREVRANGEBYLEX', KEYS[k], ARGV[1], '-', 'LIMIT', 0, tonumber(ARGV[2]))
          for _, member in ipairs(members) do
            page[#page + 1] = redis.call('HGET', KEYS[k + 1], string.sub(member, 21))
          end
        end
        return page
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    private IDatabase Db => redis.GetDatabase();

    public async Task<AppendResult> AppendAsync(string profileId, IReadOnlyList<Touchpoint> touchpoints)
    {
        var args = new RedisValue[1 + touchpoints.Count * 3];
        args[0] = profileId;
        for (var i = 0; i < touchpoints.Count; i++)
        {
            args[1 + i * 3] = touchpoints[i].Id;
            args[2 + i * 3] = OrderMember(JourneyPosition.Of(touchpoints[i]));
            args[3 + i * 3] = JsonSerializer.SerializeToUtf8Bytes(touchpoints[i], Json);
        }
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(AppendScript,
            [OwnersKey, LogKey(profileId), OrderKey(profileId), TouchpointsKey(profileId)], args))!;
        return new AppendResult([.. result.Take(touchpoints.Count).Select(r => (long)r == 1)], (long)result[^1]);
    }

    public async Task<JourneyResume> ResumeAsync(string profileId, long from)
    {
        var entries = new List<Touchpoint>();
        while (true)
        {
            var chunk = (RedisResult[])(await Db.ScriptEvaluateAsync(ResumeScript,
                [LogKey(profileId), TouchpointsKey(profileId), ErasedKey], [from, from + CatchUpChunk - 1, ErasureMarker.Of(profileId)]))!;
            entries.AddRange(chunk.Skip(1).Select(Deserialize));
            if (chunk.Length - 1 < CatchUpChunk) return new JourneyResume(entries, (long)chunk[0] == 1);
            from += CatchUpChunk;
        }
    }

    public Task EraseAsync(string profileId) => Db.ScriptEvaluateAsync(EraseScript,
        [OwnersKey, LogKey(profileId), OrderKey(profileId), TouchpointsKey(profileId), ErasedKey], [ErasureMarker.Of(profileId)]);

    public async Task<IReadOnlyList<Touchpoint>> ReadPageAsync(IReadOnlyList<string> profileIds, JourneyPosition? after, int limit)
    {
        var keys = profileIds.SelectMany(id => new RedisKey[] { OrderKey(id), TouchpointsKey(id) }).ToArray();
        var max = after is { } position ? "(" + OrderMember(position) : "+";
        var found = (RedisResult[])(await Db.ScriptEvaluateAsync(ReadPageScript, keys, [max, limit]))!;
        return [.. found.Select(Deserialize).OrderBy(JourneyPosition.Of).Take(limit)];
    }

    public Task PingAsync() => Db.PingAsync();

    private static Touchpoint Deserialize(RedisResult json) =>
        JsonSerializer.Deserialize<Touchpoint>((byte[])json!, Json) ?? throw new InvalidDataException("An empty touchpoint in a journey.");

    /// <summary>Fixed-width ticks make lexicographic order numeric; \u0001 sorts before any printable id character.</summary>
    private static string OrderMember(JourneyPosition position) => $"{position.UtcTicks:D19}\u0001{position.TouchpointId}";

    private static RedisKey LogKey(string profileId) => $"profiles:journey:{profileId}:log";

    private static RedisKey OrderKey(string profileId) => $"profiles:journey:{profileId}:order";

    private static RedisKey TouchpointsKey(string profileId) => $"profiles:journey:{profileId}:touchpoints";
}
