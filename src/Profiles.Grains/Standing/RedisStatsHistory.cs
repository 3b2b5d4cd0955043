using System.Text.Json;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.Standing;

/// <summary>
/// The history in Redis: a hash per UTC day (<see cref="RedisLayout.StatsHistory"/>), sample time to the figures
/// as JSON. HSETNX keeps the first node's sample of an interval and ignores the others; each day's key expires
/// once its last sample is older than the retention. Every command touches one key, so any key may live on any
/// node of a Redis Cluster.
/// </summary>
public sealed class RedisStatsHistory(IConnectionMultiplexer redis) : IStatsHistory
{
    private IDatabase Db => redis.GetDatabase();

    public async Task RecordAsync(StatsSample sample)
    {
        var day = DayOf(sample.At);
        var key = RedisLayout.StatsHistory(day);
        await Db.HashSetAsync(key, sample.At.ToUnixTimeMilliseconds(), JsonSerializer.Serialize(sample.Totals, JsonSerializerOptions.Web), When.NotExists);
        await Db.KeyExpireAsync(key, new DateTimeOffset(day.AddDays(1), TimeOnly.MinValue, TimeSpan.Zero).Add(StatsOptions.Retention).UtcDateTime);
    }

    public async Task<IReadOnlyList<StatsSample>> ReadAsync(DateTimeOffset from, DateTimeOffset to)
    {
        var (first, last) = (DayOf(from), DayOf(to));
        var days = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(first.AddDays);
        var entries = await Task.WhenAll(days.Select(day => Db.HashGetAllAsync(RedisLayout.StatsHistory(day))));
        return [.. entries.SelectMany(day => day)
            .Select(e => new StatsSample(DateTimeOffset.FromUnixTimeMilliseconds((long)e.Name), JsonSerializer.Deserialize<StandingTotals>((string)e.Value!, JsonSerializerOptions.Web)!))
            .Where(s => s.At >= from && s.At <= to)
            .OrderBy(s => s.At)];
    }

    private static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);
}
