using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Journey;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.History;

/// <summary>
/// How the Redis journeys read and write with a history tier behind them (<see cref="HistoryMover"/> moves the items).
/// Each journey's touchpoint hash notes in <see cref="NewestMovedField"/> the newest item ever moved out of it, so a
/// page that ends before it never asks PostgreSQL, and a page that reaches it merges both tiers under one cursor
/// (or answers <see cref="HistoryUnavailableException"/>, never a page with a gap). A moved item that the journey's
/// log still names (no stored snapshot has applied it yet) is read from PostgreSQL by a profile catching up.
/// </summary>
public sealed class HistoryTier(IConnectionMultiplexer redis, PostgresHistory cold, IOptions<HistoryOptions> options, TimeProvider time, ILogger<HistoryTier> logger)
{
    /// <summary>The field of a journey's touchpoint hash holding the order member of the newest item moved out of it
    /// (no touchpoint id is "\u0001").</summary>
    public const string NewestMovedField = "\u0001";

    // A re-send is looked for in PostgreSQL when it is dated up to this much later than the hot window: nodes' clocks
    // differ, and a move may have started a while before the re-send arrived.
    private static readonly TimeSpan ClockMargin = TimeSpan.FromDays(1);

    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    private IDatabase Db => redis.GetDatabase();

    /// <summary>The page of both tiers, from the hot page (every journey's first <paramref name="limit"/> items after
    /// the cursor, merged, in journey order) and, per journey, the newest item moved out of it (null: none).</summary>
    public async Task<IReadOnlyList<Touchpoint>> CompletePageAsync(
        IReadOnlyList<string> profileIds, IReadOnlyList<string?> newestMoved, List<Touchpoint> hot, JourneyPosition? after, int limit)
    {
        var withMoved = new List<byte[]>();
        JourneyPosition? newest = null;
        for (var i = 0; i < profileIds.Count; i++)
        {
            if (newestMoved[i] is not { } member) continue;
            withMoved.Add(HistoryKey.Of(profileIds[i]));
            var position = FromOrderMember(member);
            if (newest is null || position.CompareTo(newest.Value) < 0) newest = position;
        }
        // Every moved item is at or after the newest one: when the hot page fills before it, none belongs to this page.
        if (newest is not { } boundary || (hot.Count >= limit && JourneyPosition.Of(hot[limit - 1]).CompareTo(boundary) < 0)) return Take(hot, limit);
        var rows = await cold.ReadPageAsync(withMoved, after, limit);
        // An item copied and not yet removed from Redis is in both: Redis' copy counts.
        var ids = hot.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        hot.AddRange(rows.Where(row => ids.Add(row.Id)).Select(row => HistoryBody.Read(row)));
        hot.Sort((a, b) => JourneyPosition.Of(a).CompareTo(JourneyPosition.Of(b)));
        return Take(hot, limit);
    }

    /// <summary>The profile's moved items with these ids (its log names them; Redis no longer holds them).</summary>
    /// <exception cref="HistoryUnavailableException">PostgreSQL cannot be reached.</exception>
    /// <exception cref="StorageUnavailableException">PostgreSQL lacks one of them, and Redis does not hold it either.</exception>
    public async Task<Dictionary<string, Touchpoint>> ReadMovedAsync(string profileId, IReadOnlyList<string> ids)
    {
        var rows = await cold.ReadAsync(HistoryKey.Of(profileId), ids);
        var moved = rows.ToDictionary(row => row.Id, HistoryBody.Read, StringComparer.Ordinal);
        string[] gone = [.. ids.Where(id => !moved.ContainsKey(id)).Distinct(StringComparer.Ordinal)];
        if (gone.Length == 0) return moved;
        // Retention may have brought them back to Redis, links only, and deleted their rows since Redis was read.
        var kept = await Db.HashGetAsync(RedisLayout.JourneyTouchpoints(profileId), [.. gone.Select(id => (RedisValue)id)]);
        for (var i = 0; i < gone.Length; i++)
        {
            if (kept[i].IsNull) throw new StorageUnavailableException($"A journey item of profile {profileId} is in neither Redis nor the history tier yet.");
            moved[gone[i]] = StoredTouchpoint.Decode((byte[])kept[i]!);
        }
        return moved;
    }

    /// <summary>The journey whole: <paramref name="hot"/>, every item Redis holds, read before this is called, and the
    /// journey's rows. An item copied and not yet removed from Redis is in both: Redis' copy counts, as for a page.
    /// A journey that never moved an item is not asked for rows: an erased one, whose rows may wait for the mover,
    /// has no touchpoint hash.</summary>
    /// <exception cref="HistoryUnavailableException">The journey has rows, and PostgreSQL cannot be reached.</exception>
    public async Task<IReadOnlyList<Touchpoint>> WithMovedAsync(string profileId, List<Touchpoint> hot)
    {
        if (!await HasMovedAsync(profileId)) return hot;
        var ids = hot.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        hot.AddRange((await cold.ReadAllAsync(HistoryKey.Of(profileId))).Where(row => ids.Add(row.Id)).Select(HistoryBody.Read));
        return hot;
    }

    /// <summary>
    /// Retention: up to <paramref name="limit"/> of the profile's moved items that occurred before
    /// <paramref name="before"/>, oldest first, and when the next moved item occurred, counting those while their rows
    /// are there (null: none). Retention keeps what their links need in Redis, as it does for the items Redis holds, then
    /// <see cref="ContentRemovedAsync"/> deletes their rows. A row whose item Redis holds already is left out: with its
    /// content, the mover copied it and has not removed it from Redis yet (Redis' copy is the one retention takes); links
    /// only, a retention cut short between Redis and PostgreSQL kept its links and folded its figures already, and the
    /// row is deleted now, never folded twice.
    /// </summary>
    public async Task<ExpiredEntries> ExpiredColdAsync(string profileId, DateTimeOffset before, int limit)
    {
        if (!await HasMovedAsync(profileId)) return new ExpiredEntries([], null);
        var key = HistoryKey.Of(profileId);
        var rows = await cold.ReadOldestAsync(key, limit + 1);
        if (rows.Count == 0) return new ExpiredEntries([], null);
        var inRedis = await Db.HashGetAsync(RedisLayout.JourneyTouchpoints(profileId), [.. rows.Select(row => (RedisValue)row.Id)]);
        var expired = new List<Touchpoint>();
        var done = new List<string>();
        DateTimeOffset? next = null;
        for (var i = 0; i < rows.Count && next is null; i++)
        {
            var at = new DateTimeOffset(rows[i].Occurred, TimeSpan.Zero);
            if (at >= before || expired.Count == limit) next = at;
            else if (inRedis[i].IsNull) expired.Add(HistoryBody.Read(rows[i]));
            else if (StoredTouchpoint.Decode((byte[])inRedis[i]!).ContentRemoved) done.Add(rows[i].Id);
        }
        if (done.Count > 0) await cold.DeleteAsync(key, done);
        // Rows read past those left out say the journey goes on.
        if (next is null && rows.Count > limit) next = new DateTimeOffset(rows[^1].Occurred, TimeSpan.Zero);
        // Until their rows are deleted, the items taken count as the journey's next: the retention write keeps the journey
        // due, so a retention cut short between Redis and PostgreSQL is finished by the next pass, within one interval.
        if (expired.Count > 0) next = expired[0].OccurredAt;
        return new ExpiredEntries(expired, next);
    }

    /// <summary>After a retention write kept in Redis what the links of <paramref name="ids"/> need, their rows go:
    /// their content leaves PostgreSQL.</summary>
    public async Task ContentRemovedAsync(string profileId, IReadOnlyList<string> ids)
    {
        if (ids.Count == 0 || !await HasMovedAsync(profileId)) return;
        await cold.DeleteAsync(HistoryKey.Of(profileId), ids);
    }

    /// <summary>Whether the journey ever moved an item: only then may PostgreSQL hold rows of it, and only then is it asked.</summary>
    private Task<bool> HasMovedAsync(string profileId) => Db.HashExistsAsync(RedisLayout.JourneyTouchpoints(profileId), NewestMovedField);

    /// <summary>Which of the touchpoints were stored before and moved out since, by this profile or one merged into
    /// it: a re-send of them is a duplicate. Only touchpoints dated older than the hot window can have moved, so a
    /// batch of recent ones asks nothing.</summary>
    public async Task<IReadOnlySet<string>> StoredColdAsync(string profileId, IReadOnlyCollection<string> mergedProfileIds, IReadOnlyList<Touchpoint> touchpoints)
    {
        var threshold = time.GetUtcNow() - options.Value.Hot + ClockMargin;
        string[] old = [.. touchpoints.Where(t => t.OccurredAt < threshold).Select(t => t.Id).Distinct(StringComparer.Ordinal)];
        if (old.Length == 0) return None;
        // Redis first, then PostgreSQL: an item the mover removes from Redis after the first read was copied to
        // PostgreSQL before that, so the second read finds it; the append's own check of its shard comes too late.
        var owners = await Db.HashGetAsync(RedisLayout.Owners(Shards.Of(profileId)), [.. old.Select(id => (RedisValue)id)]);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < old.Length; i++)
        {
            if (!owners[i].IsNull) stored.Add(old[i]);
        }
        string[] unknown = [.. old.Where(id => !stored.Contains(id))];
        if (unknown.Length == 0) return stored;
        // Only journeys that ever moved an item can hold one in PostgreSQL: a customer new to the history tier sends
        // old touchpoints (an import) without asking it, and so even while it is down.
        string[] journeys = [profileId, .. mergedProfileIds];
        var moved = await Task.WhenAll(journeys.Select(HasMovedAsync));
        byte[][] keys = [.. journeys.Where((_, i) => moved[i]).Select(HistoryKey.Of)];
        if (keys.Length == 0) return stored;
        stored.UnionWith(await cold.StoredAsync(keys, unknown));
        // Then Redis again: retention keeps a moved item's links there before it deletes its row.
        string[] stillUnknown = [.. unknown.Where(id => !stored.Contains(id))];
        foreach (var journey in journeys.Where((_, i) => moved[i]))
        {
            if (stillUnknown.Length == 0) break;
            var kept = await Db.HashGetAsync(RedisLayout.JourneyTouchpoints(journey), [.. stillUnknown.Select(id => (RedisValue)id)]);
            stored.UnionWith(stillUnknown.Where((_, i) => !kept[i].IsNull));
            stillUnknown = [.. stillUnknown.Where(id => !stored.Contains(id))];
        }
        return stored;
    }

    /// <summary>After a resolution made the journey exactly <paramref name="keptIds"/> in Redis (moved items brought
    /// back whole), the rows of items that left it go; the others are copies the reader and the mover set right.</summary>
    public async Task RewrittenAsync(string profileId, IReadOnlyList<string> keptIds)
    {
        if (!await HasMovedAsync(profileId)) return;
        await cold.KeepOnlyAsync(HistoryKey.Of(profileId), keptIds);
    }

    /// <summary>After an erasure in Redis: the profile's rows go now if PostgreSQL answers, otherwise the mover deletes
    /// them within one interval (the erasure left its marker in <see cref="RedisLayout.HistoryErasures"/>).</summary>
    public async Task ErasedAsync(string profileId)
    {
        try
        {
            await cold.DeleteAsync(HistoryKey.Of(profileId));
            await Db.SetRemoveAsync(RedisLayout.HistoryErasures(Shards.Of(profileId)), ErasureMarker.Of(profileId));
        }
        catch (HistoryUnavailableException e)
        {
            logger.LogWarning("An erased profile's history stays in PostgreSQL until the next move: {Reason}", e.Message);
        }
    }

    /// <summary>The place of the order member <c>"{utcTicks:D19}\u0001{id}"</c>.</summary>
    public static JourneyPosition FromOrderMember(string member) => new(long.Parse(member.AsSpan(0, 19)), member[20..]);

    private static List<Touchpoint> Take(List<Touchpoint> items, int limit) => items.Count > limit ? items.GetRange(0, limit) : items;
}
