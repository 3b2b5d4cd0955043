using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Profiles.Grains.Journey;
using Profiles.Grains.Retention;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.History;

/// <summary>
/// Every <see cref="RetentionOptions.Interval"/>, moves journey items older than <see cref="HistoryOptions.HotDays"/>
/// (by <c>occurredAt</c>) from Redis to PostgreSQL, shard by shard, each shard under a lease of its own so that nodes
/// share the work and never move one journey together. A shard's <see cref="RedisLayout.HistoryDue"/> names the
/// journeys holding old items. Per journey: copy the old items (an upsert keyed by profile, time and id), then remove
/// them from Redis in one script, each only while Redis still holds it as copied. A crash between the two leaves a copy
/// in both, which readers count once and the next move finishes; an item rewritten or dropped in between (a
/// resolution) stays as Redis has it and its copy is deleted. An erased journey's rows are deleted, whenever the
/// erasure came, and a month's partition is dropped once retention has emptied it. While PostgreSQL is down nothing
/// moves: the round waits for the next interval.
/// </summary>
public sealed class HistoryMover(
    IConnectionMultiplexer redis,
    PostgresHistory cold,
    IOptions<HistoryOptions> history,
    IOptions<RetentionOptions> retention,
    TimeProvider time,
    ILogger<HistoryMover> logger) : BackgroundService
{
    /// <summary>Journeys read from a shard's due set at a time.</summary>
    private const int DuePage = 200;

    /// <summary>Items moved per round trip: a few hundred kilobytes, no long script.</summary>
    private const int ItemPage = 500;

    // Unix milliseconds of an order member: its ticks without the last four digits, less the ticks of 1970.
    // Between line breaks: the scripts splice it between lines of their own.
    private const string DueAgain = "\n" + """
        local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
        if #oldest == 0 then redis.call('ZREM', KEYS[1], ARGV[1])
        else redis.call('ZADD', KEYS[1], tonumber(string.sub(oldest[1], 1, 15)) - 62135596800000, ARGV[1]) end
        """ + "\n";

    // KEYS: due, order, touchpoints. ARGV: profile id, cutoff ticks (19 digits), limit. Answers member, stored item pairs.
    private const string OldItemsScript = """
        local members = redis.call('ZRANGEBYLEX', KEYS[2], '-', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
        if #members == 0 then
        """ + DueAgain + """
          return {}
        end
        local found = {}
        for _, member in ipairs(members) do
          found[#found + 1] = member
          found[#found + 1] = redis.call('HGET', KEYS[3], string.sub(member, 21)) or ''
        end
        return found
        """;

    // KEYS: due, order, touchpoints, owners, erased. ARGV: profile id, erasure marker, then member, stored item pairs.
    // Answers -1 for an erased profile, else the ids left in Redis (changed or gone since they were read).
    private const string RemoveScript = """
        if redis.call('SISMEMBER', KEYS[5], ARGV[2]) == 1 then return -1 end
        local left = {}
        local newest = redis.call('HGET', KEYS[3], '\1') or ''
        for i = 3, #ARGV, 2 do
          local member = ARGV[i]
          local id = string.sub(member, 21)
          if redis.call('ZSCORE', KEYS[2], member) and redis.call('HGET', KEYS[3], id) == ARGV[i + 1] then
            redis.call('ZREM', KEYS[2], member)
            redis.call('HDEL', KEYS[3], id)
            if redis.call('HGET', KEYS[4], id) == ARGV[1] then redis.call('HDEL', KEYS[4], id) end
            if member > newest then newest = member end
          else
            left[#left + 1] = id
          end
        end
        if newest ~= '' then redis.call('HSET', KEYS[3], '\1', newest) end
        """ + DueAgain + """
        return left
        """;

    private readonly string _leaseHolder = Guid.NewGuid().ToString("n");

    private IDatabase Db => redis.GetDatabase();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = retention.Value.Interval;
        logger.LogInformation("History tier on: journey items older than {HotDays} days move to PostgreSQL every {Interval}", history.Value.HotDays, interval);
        // The table at start-up; the first move one interval later, once the node has started.
        await RoundAsync(interval, move: false, stoppingToken);
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken)) await RoundAsync(interval, move: true, stoppingToken);
    }

    private async Task RoundAsync(TimeSpan interval, bool move, CancellationToken cancellationToken)
    {
        try
        {
            await cold.EnsureCreatedAsync();
            if (!move) return;
            await MoveAllAsync(interval, cancellationToken);
            await DropMonthsPastRetentionAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // PostgreSQL or Redis away, or a node leaving: what was not moved stays in Redis, whole, for the next round.
            logger.LogWarning("Moving journeys to the history tier stopped ({Reason}: {Message}); trying again in {Interval}",
                e.GetBaseException().GetType().Name, e.GetBaseException().Message, interval);
        }
    }

    /// <summary>With <see cref="RetentionOptions.Touchpoints"/>, drops the monthly partitions wholly past it that the
    /// retention of each journey has emptied (<see cref="PostgresHistory.DropEmptyMonthsBeforeAsync"/>).</summary>
    /// <returns>The partitions dropped.</returns>
    public async Task<IReadOnlyList<string>> DropMonthsPastRetentionAsync()
    {
        if (retention.Value.Touchpoints is not { } keep) return [];
        var dropped = await cold.DropEmptyMonthsBeforeAsync(time.GetUtcNow() - keep);
        if (dropped.Count > 0) logger.LogInformation("Retention dropped the history tier's partitions {Partitions}, emptied and past it", string.Join(", ", dropped));
        return dropped;
    }

    /// <summary>Every shard whose lease this node takes, starting at a shard of its own so nodes spread over them.</summary>
    private async Task MoveAllAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var first = Random.Shared.Next(Shards.Count);
        foreach (var shard in Shards.All.Select(s => (s + first) % Shards.Count))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lease = RedisLayout.HistoryLease(shard);
            if (!await Db.LockTakeAsync(lease, _leaseHolder, interval)) continue;
            try
            {
                await MoveShardAsync(shard, cancellationToken);
            }
            finally
            {
                await Db.LockReleaseAsync(lease, _leaseHolder);
            }
        }
    }

    /// <summary>Deletes the rows of the shard's erased profiles, then moves every old item of the shard's journeys.</summary>
    /// <returns>How many items moved.</returns>
    public async Task<long> MoveShardAsync(int shard, CancellationToken cancellationToken = default)
    {
        await ForgetErasedAsync(shard);
        var cutoff = time.GetUtcNow() - history.Value.Hot;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long moved = 0;
        while (true)
        {
            var due = await Db.SortedSetRangeByScoreAsync(RedisLayout.HistoryDue(shard), double.NegativeInfinity, cutoff.ToUnixTimeMilliseconds(),
                Exclude.Stop, Order.Ascending, 0, DuePage);
            string[] fresh = [.. due.Select(id => (string)id!).Where(seen.Add)];
            if (fresh.Length == 0) return moved;
            foreach (var profileId in fresh)
            {
                cancellationToken.ThrowIfCancellationRequested();
                moved += await MoveJourneyAsync(profileId, cutoff.UtcTicks);
            }
        }
    }

    private async Task<long> MoveJourneyAsync(string profileId, long cutoffTicks)
    {
        var shard = Shards.Of(profileId);
        var key = HistoryKey.Of(profileId);
        RedisKey[] readKeys = [RedisLayout.HistoryDue(shard), RedisLayout.JourneyOrder(profileId), RedisLayout.JourneyTouchpoints(profileId)];
        RedisKey[] removeKeys = [.. readKeys, RedisLayout.Owners(shard), RedisLayout.Erased(shard)];
        long moved = 0;
        while (true)
        {
            var found = (RedisResult[])(await Db.ScriptEvaluateAsync(OldItemsScript, readKeys, [profileId, cutoffTicks.ToString("D19"), ItemPage]))!;
            if (found.Length == 0) return moved;
            var items = new List<(string Member, byte[] Body)>(found.Length / 2);
            for (var i = 0; i < found.Length; i += 2) items.Add(((string)found[i]!, (byte[])found[i + 1]!));
            HistoryRow[] rows = [.. items.Where(item => item.Body.Length > 0).Select(item =>
            {
                var position = HistoryTier.FromOrderMember(item.Member);
                return new HistoryRow(position.UtcTicks, position.TouchpointId, HistoryBody.Of(item.Body));
            })];
            if (rows.Length > 0) await cold.CopyAsync(key, rows);
            var removal = await Db.ScriptEvaluateAsync(RemoveScript, removeKeys,
                [profileId, ErasureMarker.Of(profileId), .. items.SelectMany(item => new RedisValue[] { item.Member, item.Body })]);
            if (removal.Resp2Type == ResultType.Integer)
            {
                // Erased while this copy was under way: its rows go, as the erasure's own would.
                await cold.DeleteAsync(key);
                return moved;
            }
            string[] left = [.. ((RedisResult[])removal!).Select(id => (string)id!)];
            if (left.Length > 0) await cold.DeleteAsync(key, left);
            moved += items.Count - left.Length;
            // A page left whole in Redis would come back as it is: the next round takes it.
            if (items.Count < ItemPage || left.Length == items.Count) return moved;
        }
    }

    private async Task ForgetErasedAsync(int shard)
    {
        var markers = await Db.SetMembersAsync(RedisLayout.HistoryErasures(shard));
        foreach (var marker in markers)
        {
            await cold.DeleteAsync(HistoryKey.OfMarker(marker!));
            await Db.SetRemoveAsync(RedisLayout.HistoryErasures(shard), marker);
        }
    }
}
