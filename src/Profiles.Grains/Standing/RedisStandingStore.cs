using Profiles.Grains.Changes;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.Standing;

/// <summary>
/// Standings in Redis, one set of keys per shard (<see cref="RedisLayout.StandingKeys"/>): each report is one
/// script in the profile's hash slot; a cluster-wide figure is the sum of the shards, read in parallel.
/// </summary>
public sealed class RedisStandingStore(IConnectionMultiplexer redis, FeedClock clock) : IStandingStore
{
    /// <summary>Shards read at once when paging an audience: enough to fill a page, few enough not to read every shard.</summary>
    private const int ShardsPerRound = 8;

    // KEYS: the five standing keys. ARGV: profile id, standing ('' for none), recheck day, time, feed minimum id,
    // then per change: its number of values, then type, profile id, time and the details as name, value pairs.
    private static readonly string ReportScript = StandingScript.Functions + """
        stand(1, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
        local i = 6
        while i <= #ARGV do
          local n = tonumber(ARGV[i])
          change(KEYS[5], ARGV[5], unpack(ARGV, i + 1, i + n))
          i = i + n + 1
        end
        return 1
        """;

    // KEYS: a shard's standings and counters. Adds up the standings as the report script's stand() would, and
    // replaces the counters when any differs. Returns the standings read, then per differing counter its name, the
    // value it held and the recount. One script per shard: the shard's reports wait for it, so nothing is counted
    // twice or missed, and on a Redis Cluster it touches one hash slot.
    private static readonly string RecountScript = StandingScript.Functions + """
        local sums, standings = {}, 0
        local function add(field, n)
          if n ~= 0 then sums[field] = (sums[field] or 0) + n end
        end
        local all = redis.call('HGETALL', KEYS[1])
        for i = 2, #all, 2 do
          local st = parse(all[i])
          standings = standings + 1
          add('profiles', 1)
          add('identified', st.identified)
          add('online', st.online)
          add('offline', st.offline)
          add('omnichannel', st.online * st.offline)
          add('touchpoints', st.total)
          for name, n in pairs(st.ch) do
            add('c:' .. name .. ':t', n)
            add('c:' .. name .. ':p', 1)
          end
        end
        local differ, held = {}, {}
        local stored = redis.call('HGETALL', KEYS[2])
        for i = 1, #stored, 2 do
          local field, was = stored[i], tonumber(stored[i + 1])
          held[field] = true
          if was ~= (sums[field] or 0) then
            table.insert(differ, field); table.insert(differ, was or 0); table.insert(differ, sums[field] or 0)
          end
        end
        for field, n in pairs(sums) do
          if held[field] == nil then
            table.insert(differ, field); table.insert(differ, 0); table.insert(differ, n)
          end
        end
        if #differ > 0 then
          redis.call('DEL', KEYS[2])
          for field, n in pairs(sums) do redis.call('HSET', KEYS[2], field, n) end
        end
        return { standings, differ }
        """;

    private IDatabase Db => redis.GetDatabase();

    public Task ReportAsync(string profileId, ProfileStanding? standing, IReadOnlyList<ProfileChange> changes)
    {
        var args = new List<RedisValue> { profileId, standing?.Encode() ?? "", standing?.RecheckDay ?? "", clock.Now(), clock.MinimumId() };
        foreach (var change in changes)
        {
            var fields = RedisFeed.Fields(change);
            args.Add(fields.Count);
            args.AddRange(fields);
        }
        return Db.ScriptEvaluateAsync(ReportScript, RedisLayout.StandingKeys(Shards.Of(profileId)), [.. args]);
    }

    public async Task<StandingTotals> ReadTotalsAsync()
    {
        var shards = await Task.WhenAll(Shards.All.Select(shard => Db.HashGetAllAsync(RedisLayout.Stats(shard))));
        return StandingTotals.From(shards.SelectMany(entries => entries).Select(e => KeyValuePair.Create(e.Name.ToString(), (long)e.Value)));
    }

    public async Task<IReadOnlyDictionary<string, long>> CountAudiencesAsync(IReadOnlyList<string> audiences)
    {
        var counts = await Task.WhenAll(audiences.Select(async audience =>
            (await Task.WhenAll(Shards.All.Select(shard => Db.SortedSetLengthByValueAsync(RedisLayout.Audiences(shard), $"{audience}:", $"{audience};", Exclude.Stop)))).Sum()));
        return audiences.Select((audience, i) => (audience, counts[i])).ToDictionary(a => a.audience, a => a.Item2, StringComparer.Ordinal);
    }

    /// <summary>Members in shard order, then in id order within a shard; the cursor is "shard:last id".</summary>
    public async Task<AudiencePage> ReadAudienceAsync(string audience, string? cursor, int limit)
    {
        var (fromShard, afterId) = ParseCursor(cursor);
        var members = new List<(int Shard, string Id)>();
        for (var first = fromShard; first < Shards.Count && members.Count <= limit; first += ShardsPerRound)
        {
            var shards = Enumerable.Range(first, Math.Min(ShardsPerRound, Shards.Count - first)).ToArray();
            var read = await Task.WhenAll(shards.Select(shard => Db.SortedSetRangeByValueAsync(RedisLayout.Audiences(shard),
                shard == fromShard && afterId is not null ? $"{audience}:{afterId}" : $"{audience}:", $"{audience};",
                shard == fromShard && afterId is not null ? Exclude.Both : Exclude.Stop, Order.Ascending, 0, limit + 1)));
            for (var k = 0; k < shards.Length; k++)
            {
                members.AddRange(read[k].Select(m => (shards[k], ((string)m!)[(audience.Length + 1)..])));
            }
        }
        if (members.Count <= limit) return new AudiencePage([.. members.Select(m => m.Id)], null);
        var page = members.Take(limit).ToList();
        return new AudiencePage([.. page.Select(m => m.Id)], $"{page[^1].Shard}:{page[^1].Id}");
    }

    public async Task<IReadOnlyList<string>> DueForRecheckAsync(DateOnly today)
    {
        var due = await Task.WhenAll(Shards.All.Select(shard => Db.SortedSetRangeByScoreAsync(RedisLayout.Recheck(shard), double.NegativeInfinity, today.DayNumber)));
        return [.. due.SelectMany(ids => ids).Select(id => (string)id!)];
    }

    public async Task<StandingRecount> RecountAsync()
    {
        var shards = await Task.WhenAll(Shards.All.Select(async shard =>
            (Shard: shard, Result: (RedisResult[])(await Db.ScriptEvaluateAsync(RecountScript, [RedisLayout.Standings(shard), RedisLayout.Stats(shard)]))!)));
        var corrections = shards.SelectMany(s => ((RedisResult[])s.Result[1]!).Chunk(3)
            .Select(c => new CounterCorrection(s.Shard, (string)c[0]!, (long)c[1], (long)c[2])));
        return new StandingRecount(shards.Sum(s => (long)s.Result[0]), [.. corrections.OrderBy(c => c.Shard).ThenBy(c => c.Counter, StringComparer.Ordinal)]);
    }

    private static (int Shard, string? AfterId) ParseCursor(string? cursor)
    {
        if (cursor is null) return (0, null);
        var colon = cursor.IndexOf(':');
        return colon > 0 && int.TryParse(cursor.AsSpan(0, colon), out var shard) && shard is >= 0 and < Shards.Count
            ? (shard, cursor[(colon + 1)..])
            : throw new FormatException("Not an audience cursor.");
    }
}
