using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.Standing;

/// <summary>
/// Standings in Redis, one set of keys per shard (<see cref="RedisLayout.Standings"/>, <see cref="RedisLayout.Stats"/>,
/// <see cref="RedisLayout.Audiences"/>, <see cref="RedisLayout.Recheck"/>), written by the write records'
/// standing steps (<see cref="Writes.StandingStep"/>); a cluster-wide figure is the sum of the shards, read in parallel.
/// </summary>
public sealed class RedisStandingStore(IConnectionMultiplexer redis) : IStandingStore
{
    /// <summary>Shards read at once when paging an audience: enough to fill a page, few enough not to read every shard.</summary>
    private const int ShardsPerRound = 8;

    private IDatabase Db => redis.GetDatabase();

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

    public async Task<IReadOnlyList<string>> AnonymousLastSeenBeforeAsync(int shard, DateTimeOffset before, int limit) =>
        [.. (await Db.SortedSetRangeByScoreAsync(RedisLayout.Anonymous(shard), double.NegativeInfinity, RedisLayout.Score(before), take: limit)).Select(id => (string)id!)];

    public async Task<IReadOnlyList<string>> DueForRecheckAsync(DateTimeOffset now)
    {
        var due = await Task.WhenAll(Shards.All.Select(shard => Db.SortedSetRangeByScoreAsync(RedisLayout.Recheck(shard), double.NegativeInfinity, now.ToUnixTimeSeconds())));
        return [.. due.SelectMany(ids => ids).Select(id => (string)id!)];
    }

    public async Task<StandingRecount> RecountAsync()
    {
        var shards = await Task.WhenAll(Shards.All.Select(RecountShardAsync));
        return new StandingRecount(shards.Sum(s => s.Standings),
            [.. shards.SelectMany(s => s.Corrections).OrderBy(c => c.Shard).ThenBy(c => c.Counter, StringComparer.Ordinal)]);
    }

    /// <summary>Reads a shard's standings and counters together, adds the standings up, and replaces the counters
    /// that disagree, on condition that no counter moved since the read: a report in between moves at least one of
    /// them (every standing counts in <c>profiles</c>, and its channels in <c>touchpoints</c>), so the shard is read
    /// again. Both keys carry the shard's hash tag: on a Redis Cluster the transaction touches one hash slot.</summary>
    private async Task<(long Standings, List<CounterCorrection> Corrections)> RecountShardAsync(int shard)
    {
        var (standingsKey, statsKey) = (RedisLayout.Standings(shard), RedisLayout.Stats(shard));
        while (true)
        {
            var read = Db.CreateTransaction();
            var standings = read.HashGetAllAsync(standingsKey);
            var stats = read.HashGetAllAsync(statsKey);
            await read.ExecuteAsync();
            var held = (await stats).ToDictionary(e => e.Name.ToString(), e => (long)e.Value, StringComparer.Ordinal);
            var sums = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var entry in await standings)
            {
                foreach (var (counter, value) in ProfileStanding.Decode(entry.Value!).Counters())
                {
                    if (value != 0) sums[counter] = sums.GetValueOrDefault(counter) + value;
                }
            }
            List<CounterCorrection> corrections = [.. held.Keys.Union(sums.Keys).Order(StringComparer.Ordinal)
                .Where(counter => held.GetValueOrDefault(counter) != sums.GetValueOrDefault(counter))
                .Select(counter => new CounterCorrection(shard, counter, held.GetValueOrDefault(counter), sums.GetValueOrDefault(counter)))];
            if (corrections.Count == 0) return ((await standings).Length, corrections);

            var replace = Db.CreateTransaction();
            foreach (var counter in held.Keys.Union(sums.Keys).Union(ProfileStanding.FixedCounters))
            {
                replace.AddCondition(held.TryGetValue(counter, out var was) ? Condition.HashEqual(statsKey, counter, was) : Condition.HashNotExists(statsKey, counter));
            }
            _ = replace.KeyDeleteAsync(statsKey);
            if (sums.Count > 0) _ = replace.HashSetAsync(statsKey, [.. sums.Select(s => new HashEntry(s.Key, s.Value))]);
            if (await replace.ExecuteAsync()) return ((await standings).Length, corrections);
        }
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
