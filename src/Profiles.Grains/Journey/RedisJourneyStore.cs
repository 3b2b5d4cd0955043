using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Grains.History;
using Profiles.Grains.Storage;
using Profiles.Grains.Writes;
using StackExchange.Redis;

namespace Profiles.Grains.Journey;

/// <summary>
/// Journeys in Redis (keys in <see cref="RedisLayout"/>). Per profile: a list of touchpoint ids in append order
/// (the log the profile snapshot catches up from, holding only the entries no stored snapshot has applied yet), a
/// sorted set ordered for reading (members "{utcTicks:D19}\u0001{id}", all scores 0, so lexicographic order is
/// journey order), and a hash of id to the touchpoint in its compact binary form (<see cref="StoredTouchpoint"/>;
/// journeys written as JSON by earlier versions still read). Per shard: the idempotency hash of every touchpoint id
/// stored by a profile of the shard. This class reads them; every write is a <see cref="Writes.ProfileWrite"/> that
/// <see cref="Writes.RedisWrites"/> applies in one script call, so a touchpoint is stored whole, with its change in the
/// feed, or not at all. The touchpoint hash's empty field (no touchpoint id is empty) holds the journey's writer epoch
/// (<see cref="IJourneyStore.OpenAsync"/>), and its field "\u0002" how many entries left the front of the log, so that
/// log positions stay absolute. With a history tier (<paramref name="history"/>), items older than its hot window leave
/// the order set and the touchpoint hash for PostgreSQL: reads complete what Redis no longer holds from there.
/// </summary>
public sealed class RedisJourneyStore(IConnectionMultiplexer redis, StorageHealthConnection health, HistoryTier? history = null) : IJourneyStore
{
    private const int CatchUpChunk = 1000;

    // KEYS: log, touchpoints, erased. ARGV: from, to (absolute log positions), erasure marker, trimmed field. Positions
    // before the trimmed ones were applied by a stored snapshot, which no activation goes back behind: asking for one
    // is answered with the trimmed count alone, never with a log that silently misses them (LogAnswer).
    private const string ReadLog = """
        local trimmed = tonumber(redis.call('HGET', KEYS[2], ARGV[4]) or '0')
        if tonumber(ARGV[1]) < trimmed then return trimmed end
        local ids = redis.call('LRANGE', KEYS[1], tonumber(ARGV[1]) - trimmed, tonumber(ARGV[2]) - trimmed)
        """;

    // A journey that exists gets the next writer epoch; one that does not stays at 0, and is written nothing, so a read
    // of an unknown profile leaves no key.
    private const string OpenScript = ReadLog + """

        local epoch = 0
        if redis.call('EXISTS', KEYS[2]) == 1 then epoch = redis.call('HINCRBY', KEYS[2], '', 1) end
        local erased = redis.call('SISMEMBER', KEYS[3], ARGV[3])
        if #ids == 0 then return { epoch, erased } end
        local found = redis.call('HMGET', KEYS[2], unpack(ids))
        for i = 1, #ids do if not found[i] then found[i] = { ids[i] } end end
        table.insert(found, 1, erased)
        table.insert(found, 1, epoch)
        return found
        """;

    private const string ResumeScript = ReadLog + """

        local erased = redis.call('SISMEMBER', KEYS[3], ARGV[3])
        if #ids == 0 then return { erased } end
        local found = redis.call('HMGET', KEYS[2], unpack(ids))
        for i = 1, #ids do if not found[i] then found[i] = { ids[i] } end end
        table.insert(found, 1, erased)
        return found
        """;

    // The first element is the newest item moved to the history tier (HistoryTier.NewestMovedField), false for none.
    private const string ReadPageScript = """
        local page = { redis.call('HGET', KEYS[2], '\1') }
        local members = redis.call('ZREVRANGEBYLEX', KEYS[1], ARGV[1], '-', 'LIMIT', 0, tonumber(ARGV[2]))
        for _, member in ipairs(members) do
          page[#page + 1] = redis.call('HGET', KEYS[2], string.sub(member, 21))
        end
        return page
        """;

    // KEYS: order, touchpoints. ARGV: how many. The oldest entries in reading order, each with its stored touchpoint.
    private const string OldestScript = """
        local members = redis.call('ZRANGEBYLEX', KEYS[1], '-', '+', 'LIMIT', 0, tonumber(ARGV[1]))
        local page = {}
        for _, member in ipairs(members) do
          page[#page + 1] = member
          page[#page + 1] = redis.call('HGET', KEYS[2], string.sub(member, 21))
        end
        return page
        """;

    private IDatabase Db => redis.GetDatabase();

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
        var first = LogAnswer(profileId, from, await Db.ScriptEvaluateAsync(OpenScript, ResumeKeys(profileId), [from, from + CatchUpChunk - 1, ErasureMarker.Of(profileId), RedisWriteProgram.TrimmedField]));
        var entries = await EntriesAsync(profileId, first.Skip(2).ToArray());
        if (entries.Count == CatchUpChunk) entries.AddRange((await ResumeAsync(profileId, from + CatchUpChunk)).Missed);
        return new OpenedJourney(entries, (long)first[1] == 1, (long)first[0]);
    }

    public async Task<JourneyResume> ResumeAsync(string profileId, long from)
    {
        var entries = new List<Touchpoint>();
        var keys = ResumeKeys(profileId);
        while (true)
        {
            var chunk = LogAnswer(profileId, from, await Db.ScriptEvaluateAsync(ResumeScript, keys, [from, from + CatchUpChunk - 1, ErasureMarker.Of(profileId), RedisWriteProgram.TrimmedField]));
            entries.AddRange(await EntriesAsync(profileId, chunk.Skip(1).ToArray()));
            if (chunk.Length - 1 < CatchUpChunk) return new JourneyResume(entries, (long)chunk[0] == 1);
            from += CatchUpChunk;
        }
    }

    /// <summary>The touchpoint hash, scanned a chunk at a time, then with a history tier the journey's rows. The mover
    /// copies an item to PostgreSQL before it removes it from Redis, so one removed during the scan is in the rows read
    /// after it.</summary>
    public async Task<IReadOnlyList<Touchpoint>> ReadWholeAsync(string profileId)
    {
        var held = new List<Touchpoint>();
        await foreach (var entry in Db.HashScanAsync(RedisLayout.JourneyTouchpoints(profileId), pageSize: CatchUpChunk))
        {
            if (RedisWriteProgram.IsTouchpointId(entry.Name!)) held.Add(StoredTouchpoint.Decode((byte[])entry.Value!));
        }
        return history is null ? held : await history.WithMovedAsync(profileId, held);
    }

    public async Task<long> WriterEpochAsync(string profileId) =>
        (long?)await Db.HashGetAsync(RedisLayout.JourneyTouchpoints(profileId), "") ?? 0;

    /// <summary>One script per journey, each in its own profile's hash slot, merged here.</summary>
    public async Task<IReadOnlyList<Touchpoint>> ReadPageAsync(IReadOnlyList<string> profileIds, JourneyPosition? after, int limit)
    {
        var max = after is { } position ? "(" + OrderMember(position) : "+";
        var pages = (await Task.WhenAll(profileIds.Select(id =>
            Db.ScriptEvaluateAsync(ReadPageScript, [RedisLayout.JourneyOrder(id), RedisLayout.JourneyTouchpoints(id)], [max, limit])))).Select(page => (RedisResult[])page!).ToArray();
        List<Touchpoint> hot = [.. pages.SelectMany(page => page.Skip(1)).Where(stored => !stored.IsNull).Select(Deserialize).OrderBy(JourneyPosition.Of)];
        string?[] newestMoved = [.. pages.Select(page => page[0].IsNull ? null : (string?)page[0])];
        if (history is null || newestMoved.All(m => m is null)) return hot.Count > limit ? hot.GetRange(0, limit) : hot;
        return await history.CompletePageAsync(profileIds, newestMoved, hot, after, limit);
    }

    public Task<IReadOnlySet<string>> StoredColdAsync(string profileId, IReadOnlyCollection<string> mergedProfileIds, IReadOnlyList<Touchpoint> touchpoints) =>
        history?.StoredColdAsync(profileId, mergedProfileIds, touchpoints) ?? Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());

    /// <summary>A read of the log, or the fault of asking for entries a stored snapshot had applied (the script answers
    /// how many left the log): not a storage failure to retry, since no retry finds them.</summary>
    private static RedisResult[] LogAnswer(string profileId, long from, RedisResult answer) =>
        answer.Resp2Type == ResultType.Integer
            ? throw new InvalidDataException(
                $"Profile {profileId}'s journey log was read from position {from}, before the {(long)answer} entries that left it once a snapshot held them.")
            : (RedisResult[])answer!;

    /// <summary>The log's entries as stored; an entry Redis answered by its id alone moved to the history tier.</summary>
    private async Task<List<Touchpoint>> EntriesAsync(string profileId, RedisResult[] stored)
    {
        string[] moved = [.. stored.Where(entry => entry.Resp2Type == ResultType.Array).Select(entry => (string)((RedisResult[])entry!)[0]!)];
        if (moved.Length == 0) return [.. stored.Select(Deserialize)];
        if (history is null) throw new InvalidDataException($"Profile {profileId}'s journey log names items its journey does not hold.");
        var found = await history.ReadMovedAsync(profileId, moved);
        return [.. stored.Select(entry => entry.Resp2Type == ResultType.Array ? found[(string)((RedisResult[])entry!)[0]!] : Deserialize(entry))];
    }

    /// <summary>With a history tier, the journey's moved items count too: both tiers' oldest entries, merged.</summary>
    public async Task<ExpiredEntries> ExpiredAsync(string profileId, DateTimeOffset before, int limit)
    {
        var hot = await ExpiredHotAsync(profileId, before, limit);
        if (history is null) return hot;
        var cold = await history.ExpiredColdAsync(profileId, before, limit);
        if (cold.Entries.Count == 0 && cold.NextAt is null) return hot;
        var both = hot.Entries.Concat(cold.Entries).DistinctBy(t => t.Id, StringComparer.Ordinal)
            .OrderBy(t => t.OccurredAt.UtcTicks).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
        var next = Earliest(hot.NextAt, cold.NextAt);
        if (both.Count <= limit) return new ExpiredEntries(both, next);
        return new ExpiredEntries(both[..limit], Earliest(next, both[limit].OccurredAt));
    }

    private async Task<ExpiredEntries> ExpiredHotAsync(string profileId, DateTimeOffset before, int limit)
    {
        // One entry more than asked for: the first one kept says when the journey's next entry occurred.
        var page = (RedisResult[])(await Db.ScriptEvaluateAsync(OldestScript, [RedisLayout.JourneyOrder(profileId), RedisLayout.JourneyTouchpoints(profileId)], [limit + 1]))!;
        var limitMember = OrderMember(new JourneyPosition(before.UtcTicks, ""));
        var expired = new List<Touchpoint>();
        for (var i = 0; i < page.Length; i += 2)
        {
            var member = (string)page[i]!;
            if (expired.Count == limit || string.CompareOrdinal(member, limitMember) >= 0) return new ExpiredEntries(expired, TicksOf(member));
            expired.Add(Deserialize(page[i + 1]));
        }
        return new ExpiredEntries(expired, null);
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    public async Task<IReadOnlyList<RemovedContent>> RemovedContentAsync(string profileId) =>
        [.. (await Db.HashGetAllAsync(RedisLayout.JourneyRemoved(profileId))).Select(entry => RemovedContent.Named(entry.Name!, StoredRemovedContent.Decode(entry.Value!)))];

    public async Task<IReadOnlyList<string>> HoldingEntriesBeforeAsync(int shard, DateTimeOffset before, int limit) =>
        [.. (await Db.SortedSetRangeByScoreAsync(RedisLayout.RetentionDue(shard), double.NegativeInfinity, RedisLayout.Score(before), take: limit)).Select(id => (string)id!)];

    /// <summary>Asks for a key of every shard, each routed to the master that holds it, on the connection kept for
    /// this (<see cref="StorageHealthConnection"/>). A PING goes to any one reachable server, and a master answers it
    /// even while its cluster refuses every command (CLUSTERDOWN): on a Redis Cluster with one master down, one node's
    /// ping would fail and another's pass. Only the failure's type is kept: a message could name a key.</summary>
    public async Task<StorageReach> ReachAsync(TimeSpan timeout)
    {
        var failures = await Task.WhenAll(Shards.All.Select(async shard =>
        {
            try
            {
                await health.Db.KeyExistsAsync(RedisLayout.Stats(shard)).WaitAsync(timeout);
                return null;
            }
            catch (Exception e)
            {
                return e.GetBaseException().GetType().Name;
            }
        }));
        int[] unanswered = [.. Shards.All.Where(shard => failures[shard] is not null)];
        if (unanswered.Length == 0) return StorageReach.Everything;
        health.RefreshTopology();
        return new StorageReach(unanswered, failures[unanswered[0]]);
    }

    private static RedisKey[] ResumeKeys(string profileId) =>
        [RedisLayout.JourneyLog(profileId), RedisLayout.JourneyTouchpoints(profileId), RedisLayout.Erased(Shards.Of(profileId))];

    private static Touchpoint Deserialize(RedisResult stored) => StoredTouchpoint.Decode((byte[])stored!);

    private static DateTimeOffset TicksOf(string member) => new(long.Parse(member.AsSpan(0, 19), System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero);

    /// <summary>Fixed-width ticks make lexicographic order numeric; \u0001 sorts before any printable id character.</summary>
    internal static string OrderMember(JourneyPosition position) => $"{position.UtcTicks:D19}\u0001{position.TouchpointId}";
}
