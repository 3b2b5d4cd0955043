using StackExchange.Redis;

namespace Profiles.Grains.Storage;

/// <summary>
/// Every Redis key Profiles writes, in one place. Keys of a profile and the per-shard keys its writes touch in
/// one script share the shard's hash tag (<see cref="Tag"/>), so on a Redis Cluster each script touches one hash
/// slot.
/// </summary>
public static class RedisLayout
{
    /// <summary>Hash slots of a Redis Cluster; a key's slot is CRC16 of its hash tag modulo this.</summary>
    public const int HashSlots = 16384;

    private static readonly string[] Tags = [.. Shards.All.Select(AlignedTag)];

    /// <summary>The hash tag of a shard's keys: <c>{SS-k}</c>, SS the shard in hex.</summary>
    public static string Tag(int shard) => Tags[shard];

    /// <summary>
    /// Shard <c>s</c>'s keys sit in the <c>s</c>-th of <see cref="Shards.Count"/> equal ranges of hash slots (k is the
    /// first suffix that puts them there). A cluster splits the slots into equal contiguous ranges, one per master
    /// (<c>redis-cli --cluster create</c>, managed services), so each of up to <see cref="Shards.Count"/> masters holds
    /// an equal number of shards, ±1: with tags hashed at random, 8 masters would hold 6 to 10 shards each, and the
    /// busiest would bound the cluster.
    /// </summary>
    private static string AlignedTag(int shard)
    {
        var width = HashSlots / Shards.Count;
        for (var k = 0; ; k++)
        {
            var tag = $"{shard:x2}-{k}";
            if (Slot(tag) / width == shard) return $"{{{tag}}}";
        }
    }

    /// <summary>Redis Cluster's key hash: CRC16-XMODEM (polynomial 0x1021, initial 0) modulo the slot count.</summary>
    private static int Slot(string tag)
    {
        var crc = 0;
        foreach (var c in tag)
        {
            crc ^= (byte)c << 8;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
        }
        return crc % HashSlots;
    }

    /// <summary>Per shard: touchpoint id to the profile that stored it, the idempotency record.</summary>
    public static RedisKey Owners(int shard) => $"profiles:{Tag(shard)}:owners";

    /// <summary>Per shard of identifier keys: identifier key to the profile it points to (the identifier grains' state).</summary>
    public static RedisKey Identifiers(int shard) => $"profiles:{Tag(shard)}:ids";

    /// <summary>Per shard: SHA-256 of the ids of erased profiles (never the ids themselves).</summary>
    public static RedisKey Erased(int shard) => $"profiles:{Tag(shard)}:erased";

    /// <summary>Per shard: the change feed, a Redis Stream trimmed to the retention.</summary>
    public static RedisKey Changes(int shard) => $"profiles:{Tag(shard)}:changes";

    /// <summary>Per shard: SHA-256 of the ids of the shard's profiles erased since the feed was last rid of their
    /// changes (<see cref="Profiles.Grains.Changes.RedisFeedErasure"/>); written with the erasure, emptied once the feed is rid of them.</summary>
    public static RedisKey FeedErasures(int shard) => $"profiles:{Tag(shard)}:changes:erased";

    /// <summary>Held by the one node ridding the feed of erased customers' changes, so that nodes do not walk the feed
    /// together. No hash tag: each command touches it alone, once an interval per node.</summary>
    public static RedisKey FeedErasureLease => "profiles:changes:erasure-lease";

    /// <summary>Per shard: profile id to its last reported standing.</summary>
    public static RedisKey Standings(int shard) => $"profiles:{Tag(shard)}:standing";

    /// <summary>Per shard: the statistics counters, the sum of the shard's standings.</summary>
    public static RedisKey Stats(int shard) => $"profiles:{Tag(shard)}:stats";

    /// <summary>Per shard: audience members as "audience:profileId", all scored 0 so they page in lexical order.</summary>
    public static RedisKey Audiences(int shard) => $"profiles:{Tag(shard)}:audiences";

    /// <summary>Per shard: profiles whose audiences may change with the date alone, scored by the day to look again.</summary>
    public static RedisKey Recheck(int shard) => $"profiles:{Tag(shard)}:recheck";

    /// <summary>Per shard: journeys holding entries retention will take out, scored by when the oldest occurred (Unix
    /// seconds), so that each interval reads only those due.</summary>
    public static RedisKey RetentionDue(int shard) => $"profiles:{Tag(shard)}:retention";

    /// <summary>Per shard: profiles holding only anonymous identifiers, scored by when they were last seen (Unix
    /// seconds), for the retention of anonymous profiles.</summary>
    public static RedisKey Anonymous(int shard) => $"profiles:{Tag(shard)}:anonymous";

    /// <summary>A profile's journey: ids in append order, the log its snapshot catches up from. It keeps only the
    /// entries no stored snapshot has applied: those before leave once a snapshot holds them, and positions stay
    /// absolute, counting the entries gone (<see cref="Writes.JourneyChange.LogTrimmed"/>).</summary>
    public static RedisKey JourneyLog(string profileId) => $"profiles:{Tag(Shards.Of(profileId))}:j:{profileId}:log";

    /// <summary>A profile's journey in reading order: members "{utcTicks:D19}\u0001{id}", all scored 0.</summary>
    public static RedisKey JourneyOrder(string profileId) => $"profiles:{Tag(Shards.Of(profileId))}:j:{profileId}:order";

    /// <summary>A profile's touchpoints: id to the stored touchpoint, beside a few fields of the journey's own that are
    /// no touchpoint id (its writer epoch, the newest item moved to a history tier, how many entries left its
    /// log).</summary>
    public static RedisKey JourneyTouchpoints(string profileId) => $"profiles:{Tag(Shards.Of(profileId))}:j:{profileId}:tp";

    /// <summary>A grain's state (a profile's snapshot, a resolution's), as Orleans' Redis grain storage keeps it: a hash
    /// of <c>etag</c> and <c>data</c> under its own key, Orleans' default layout, named here so that a replicated
    /// deployment can wait for the write of that key (<see cref="Writes.ReplicatedGrainStorage"/>).</summary>
    public static RedisKey GrainState(string serviceId, GrainId grainId, string stateName) => $"{serviceId}/state/{grainId}/{stateName}";

    /// <summary>A profile's removed content: per anchor identifier, the folded figures of touchpoints whose content
    /// retention removed (<see cref="Profiles.Core.Profiles.RemovedContent"/>).</summary>
    public static RedisKey JourneyRemoved(string profileId) => $"profiles:{Tag(Shards.Of(profileId))}:j:{profileId}:removed";

    /// <summary>A score of the retention indexes: whole Unix seconds, exact in a double, in the order of time.</summary>
    public static long Score(DateTimeOffset at) => at.ToUnixTimeSeconds();

    /// <summary>Per shard, with a history tier: profile id to the Unix milliseconds of the oldest item its journey holds
    /// in Redis (at most; the mover sets it right), so the mover finds the journeys with items to move.</summary>
    public static RedisKey HistoryDue(int shard) => $"profiles:{Tag(shard)}:history:due";

    /// <summary>Per shard, with a history tier: markers (<see cref="Journey.ErasureMarker"/>) of erased profiles whose
    /// rows the history tier may still hold; written with the erasure, emptied by the mover once the rows are gone.</summary>
    public static RedisKey HistoryErasures(int shard) => $"profiles:{Tag(shard)}:history:erased";

    /// <summary>Per shard, with a history tier: held by the one node moving the shard's journeys this interval.</summary>
    public static RedisKey HistoryLease(int shard) => $"profiles:{Tag(shard)}:history:lease";

    /// <summary>One UTC day of statistics samples: sample time (Unix milliseconds) to the figures. No hash tag: each
    /// command on it touches this key alone, and a key per day expires whole when it leaves the retention.</summary>
    public static RedisKey StatsHistory(DateOnly day) => $"profiles:stats-history:{day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}";
}
