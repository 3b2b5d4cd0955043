using Profiles.Core.Touchpoints;
using Profiles.Grains.Changes;
using Profiles.Grains.Standing;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.Journey;

/// <summary>
/// Journeys in Redis (keys in <see cref="RedisLayout"/>). Per profile: a list of touchpoint ids in append order
/// (the log the profile snapshot catches up from), a sorted set ordered for reading (members
/// "{utcTicks:D19}\u0001{id}", all scores 0, so lexicographic order is journey order), and a hash of id to
/// the touchpoint in its compact binary form (<see cref="StoredTouchpoint"/>; journeys written as JSON by earlier
/// versions still read). Per shard: the idempotency hash of every touchpoint id stored by a profile of the shard.
/// Each append is one Lua script in the profile's hash slot, with the feed entries and the standing report of
/// the same change, so a touchpoint is stored whole, with its change in the feed, or not at all. The touchpoint
/// hash's empty field (no touchpoint id is empty) holds the journey's writer epoch (<see cref="IJourneyStore.OpenAsync"/>).
/// </summary>
public sealed class RedisJourneyStore(IConnectionMultiplexer redis, FeedClock clock, StorageHealthConnection health) : IJourneyStore
{
    private const int CatchUpChunk = 1000;
    private const int FieldsPerTouchpoint = 5;

    // KEYS: owners, log, order, touchpoints, the five standing keys, erased. ARGV: profile id, time, feed minimum
    // id, standing if all are new ('' for none), recheck day, writer epoch, erasure marker, then per touchpoint: id,
    // order member, stored touchpoint, channel, type. An older epoch than the journey's is refused; epoch 0 (opened
    // before the journey existed) claims epoch 1, so of two such writers only the first to append goes on. An erased
    // profile's journey takes no append at all: erasure leaves no key named after the profile, so no epoch either.
    private static readonly string AppendScript = StandingScript.Functions + """
        local current = tonumber(redis.call('HGET', KEYS[4], '') or '0')
        local epoch = tonumber(ARGV[6])
        if epoch < current then return { -1 } end
        if current == 0 then
          if redis.call('SISMEMBER', KEYS[10], ARGV[7]) == 1 then return { -1 } end
          epoch = 1
          redis.call('HSET', KEYS[4], '', 1)
        end
        local stored = {}
        local allNew = true
        for i = 8, #ARGV, 5 do
          if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1]) == 1 then
            redis.call('RPUSH', KEYS[2], ARGV[i])
            redis.call('ZADD', KEYS[3], 0, ARGV[i + 1])
            redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 2])
            change(KEYS[9], ARGV[3], 'type', 'touchpoint', 'profileId', ARGV[1], 'at', ARGV[2],
              'touchpointId', ARGV[i], 'channel', ARGV[i + 3], 'touchpointType', ARGV[i + 4])
            stored[#stored + 1] = 1
          else
            stored[#stored + 1] = 0
            allNew = false
          end
        end
        local recorded = 0
        if allNew and ARGV[4] ~= '' then
          stand(5, ARGV[1], ARGV[4], ARGV[5], ARGV[2], ARGV[3])
          recorded = 1
        end
        stored[#stored + 1] = redis.call('LLEN', KEYS[2])
        stored[#stored + 1] = recorded
        stored[#stored + 1] = epoch
        return stored
        """;

    // KEYS: log, touchpoints, erased. ARGV: from, to, erasure marker. A journey that exists gets the next writer
    // epoch; one that does not stays at 0, and is written nothing, so a read of an unknown profile leaves no key.
    private const string OpenScript = """
        local epoch = 0
        if redis.call('EXISTS', KEYS[2]) == 1 then epoch = redis.call('HINCRBY', KEYS[2], '', 1) end
        local erased = redis.call('SISMEMBER', KEYS[3], ARGV[3])
        local ids = redis.call('LRANGE', KEYS[1], ARGV[1], ARGV[2])
        if #ids == 0 then return { epoch, erased } end
        local found = redis.call('HMGET', KEYS[2], unpack(ids))
        table.insert(found, 1, erased)
        table.insert(found, 1, epoch)
        return found
        """;

    private const string ResumeScript = """
        local erased = redis.call('SISMEMBER', KEYS[3], ARGV[3])
        local ids = redis.call('LRANGE', KEYS[1], ARGV[1], ARGV[2])
        if #ids == 0 then return { erased } end
        local found = redis.call('HMGET', KEYS[2], unpack(ids))
        table.insert(found, 1, erased)
        return found
        """;

    // KEYS: owners, log, order, touchpoints, erased, then the five standing keys. ARGV: erasure marker, profile
    // id, time, feed minimum id, announce (1 or 0). In chunks: unpack() has a limit on how many values it spreads.
    private static readonly string EraseScript = StandingScript.Functions + """
        local ids = redis.call('LRANGE', KEYS[2], 0, -1)
        for i = 1, #ids, 1000 do
          redis.call('HDEL', KEYS[1], unpack(ids, i, math.min(i + 999, #ids)))
        end
        redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
        redis.call('SADD', KEYS[5], ARGV[1])
        stand(6, ARGV[2], '', '', ARGV[3], ARGV[4])
        if ARGV[5] == '1' then change(KEYS[10], ARGV[4], 'type', 'erased', 'profileId', ARGV[2], 'at', ARGV[3]) end
        return #ids
        """;

    // KEYS: owners, log, order, touchpoints. ARGV: profile id, then per touchpoint: id, order member, stored touchpoint.
    private const string RewriteScript = """
        local keep = {}
        for i = 2, #ARGV, 3 do keep[ARGV[i]] = true end
        for _, id in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
          if not keep[id] then
            redis.call('HDEL', KEYS[4], id)
            if redis.call('HGET', KEYS[1], id) == ARGV[1] then redis.call('HDEL', KEYS[1], id) end
          end
        end
        redis.call('DEL', KEYS[2], KEYS[3])
        for i = 2, #ARGV, 3 do
          redis.call('RPUSH', KEYS[2], ARGV[i])
          redis.call('ZADD', KEYS[3], 0, ARGV[i + 1])
          redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 2])
          redis.call('HSET', KEYS[1], ARGV[i], ARGV[1])
        end
        return redis.call('LLEN', KEYS[2])
        """;

    private const string ReadPageScript = """
        local page = {}
        local members = redis.call('ZREVRANGEBYLEX', KEYS[1], ARGV[1], '-', 'LIMIT', 0, tonumber(ARGV[2]))
        for _, member in ipairs(members) do
          page[#page + 1] = redis.call('HGET', KEYS[2], string.sub(member, 21))
        end
        return page
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<AppendResult> AppendAsync(string profileId, long writerEpoch, IReadOnlyList<Touchpoint> touchpoints, ProfileStanding? standingIfAllNew)
    {
        const int fixedArgs = 7;
        var shard = Shards.Of(profileId);
        var args = new RedisValue[fixedArgs + touchpoints.Count * FieldsPerTouchpoint];
        args[0] = profileId;
        args[1] = clock.Now();
        args[2] = clock.MinimumId();
        args[3] = standingIfAllNew?.Encode() ?? "";
        args[4] = standingIfAllNew?.RecheckDay ?? "";
        args[5] = writerEpoch;
        args[6] = ErasureMarker.Of(profileId);
        for (var i = 0; i < touchpoints.Count; i++)
        {
            var at = fixedArgs + i * FieldsPerTouchpoint;
            args[at] = touchpoints[i].Id;
            args[at + 1] = OrderMember(JourneyPosition.Of(touchpoints[i]));
            args[at + 2] = StoredTouchpoint.Encode(touchpoints[i]);
            args[at + 3] = touchpoints[i].Channel;
            args[at + 4] = touchpoints[i].Type;
        }
        RedisKey[] keys =
        [
            RedisLayout.Owners(shard), RedisLayout.JourneyLog(profileId), RedisLayout.JourneyOrder(profileId), RedisLayout.JourneyTouchpoints(profileId),
            .. RedisLayout.StandingKeys(shard), RedisLayout.Erased(shard),
        ];
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(AppendScript, keys, args))!;
        if (result.Length == 1) throw new JourneyWriterSupersededException(profileId);
        return new AppendResult([.. result.Take(touchpoints.Count).Select(r => (long)r == 1)], (long)result[^3], (long)result[^2] == 1, (long)result[^1]);
    }

    public async Task<IReadOnlySet<string>> StoredInAsync(IReadOnlyCollection<int> shards, IReadOnlyList<string> touchpointIds)
    {
        var ids = touchpointIds.Select(id => (RedisValue)id).ToArray();
        var owners = await Task.WhenAll(shards.Select(shard => Db.HashGetAsync(RedisLayout.Owners(shard), ids)));
        var stored = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ofShard in owners)
        {
            for (var i = 0; i < ids.Length; i++)
            {
                if (!ofShard[i].IsNull) stored.Add(touchpointIds[i]);
            }
        }
        return stored;
    }

    public async Task<OpenedJourney> OpenAsync(string profileId, long from)
    {
        var first = (RedisResult[])(await Db.ScriptEvaluateAsync(OpenScript, ResumeKeys(profileId), [from, from + CatchUpChunk - 1, ErasureMarker.Of(profileId)]))!;
        List<Touchpoint> entries = [.. first.Skip(2).Select(Deserialize)];
        if (entries.Count == CatchUpChunk) entries.AddRange((await ResumeAsync(profileId, from + CatchUpChunk)).Missed);
        return new OpenedJourney(entries, (long)first[1] == 1, (long)first[0]);
    }

    public async Task<JourneyResume> ResumeAsync(string profileId, long from)
    {
        var entries = new List<Touchpoint>();
        var keys = ResumeKeys(profileId);
        while (true)
        {
            var chunk = (RedisResult[])(await Db.ScriptEvaluateAsync(ResumeScript, keys, [from, from + CatchUpChunk - 1, ErasureMarker.Of(profileId)]))!;
            entries.AddRange(chunk.Skip(1).Select(Deserialize));
            if (chunk.Length - 1 < CatchUpChunk) return new JourneyResume(entries, (long)chunk[0] == 1);
            from += CatchUpChunk;
        }
    }

    public Task EraseAsync(string profileId, bool announce)
    {
        var shard = Shards.Of(profileId);
        RedisKey[] keys =
        [
            RedisLayout.Owners(shard), RedisLayout.JourneyLog(profileId), RedisLayout.JourneyOrder(profileId), RedisLayout.JourneyTouchpoints(profileId),
            RedisLayout.Erased(shard), .. RedisLayout.StandingKeys(shard),
        ];
        return Db.ScriptEvaluateAsync(EraseScript, keys, [ErasureMarker.Of(profileId), profileId, clock.Now(), clock.MinimumId(), announce ? "1" : "0"]);
    }

    /// <summary>One script per journey, each in its own profile's hash slot, merged here.</summary>
    public async Task<IReadOnlyList<Touchpoint>> ReadPageAsync(IReadOnlyList<string> profileIds, JourneyPosition? after, int limit)
    {
        var max = after is { } position ? "(" + OrderMember(position) : "+";
        var pages = await Task.WhenAll(profileIds.Select(id =>
            Db.ScriptEvaluateAsync(ReadPageScript, [RedisLayout.JourneyOrder(id), RedisLayout.JourneyTouchpoints(id)], [max, limit])));
        return [.. pages.SelectMany(page => (RedisResult[])page!).Where(stored => !stored.IsNull).Select(Deserialize).OrderBy(JourneyPosition.Of).Take(limit)];
    }

    public async Task<long> RewriteAsync(string profileId, IReadOnlyList<Touchpoint> touchpoints)
    {
        var args = new RedisValue[1 + touchpoints.Count * 3];
        args[0] = profileId;
        for (var i = 0; i < touchpoints.Count; i++)
        {
            args[1 + i * 3] = touchpoints[i].Id;
            args[2 + i * 3] = OrderMember(JourneyPosition.Of(touchpoints[i]));
            args[3 + i * 3] = StoredTouchpoint.Encode(touchpoints[i]);
        }
        RedisKey[] keys =
        [
            RedisLayout.Owners(Shards.Of(profileId)), RedisLayout.JourneyLog(profileId), RedisLayout.JourneyOrder(profileId), RedisLayout.JourneyTouchpoints(profileId),
        ];
        return (long)(await Db.ScriptEvaluateAsync(RewriteScript, keys, args));
    }

    /// <summary>Asks for a key of every shard, each routed to the master that holds it, on the connection kept for
    /// this (<see cref="StorageHealthConnection"/>). A PING goes to any one reachable server, and a master answers it
    /// even while its cluster refuses every command (CLUSTERDOWN): on a Redis Cluster with one master down, one node's
    /// ping would fail and another's pass.</summary>
    public Task PingAsync() => Task.WhenAll(Shards.All.Select(shard => health.Db.KeyExistsAsync(RedisLayout.Stats(shard))));

    private static RedisKey[] ResumeKeys(string profileId) =>
        [RedisLayout.JourneyLog(profileId), RedisLayout.JourneyTouchpoints(profileId), RedisLayout.Erased(Shards.Of(profileId))];

    private static Touchpoint Deserialize(RedisResult stored) => StoredTouchpoint.Decode((byte[])stored!);

    /// <summary>Fixed-width ticks make lexicographic order numeric; \u0001 sorts before any printable id character.</summary>
    private static string OrderMember(JourneyPosition position) => $"{position.UtcTicks:D19}\u0001{position.TouchpointId}";
}
