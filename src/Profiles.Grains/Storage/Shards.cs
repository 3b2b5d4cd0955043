namespace Profiles.Grains.Storage;

/// <summary>
/// Profile data is spread over a fixed number of shards by profile id. Every Redis key of a profile (its
/// journey, its idempotency records) and every key its writes must touch in the same atomic script (the change
/// feed, the statistics and audience records) carry the shard as a Redis Cluster hash tag, so one script
/// touches one hash slot, and the feed, counters and indexes are one key per shard, never one hot key for the
/// whole cluster. Readers of a cluster-wide figure read every shard and add them up.
/// </summary>
public static class Shards
{
    /// <summary>Fixed for the life of a deployment: changing it moves every profile to another shard. 64 spreads
    /// the writes over up to 64 Redis masters and keeps a cursor over every shard's feed short.</summary>
    public const int Count = 64;

    public static IEnumerable<int> All => Enumerable.Range(0, Count);

    /// <summary>The shard of a profile: FNV-1a of its id, so any id (not only the hex ones we mint) spreads evenly.</summary>
    public static int Of(string profileId)
    {
        var hash = 2166136261u;
        foreach (var c in profileId) hash = (hash ^ c) * 16777619u;
        return (int)(hash % Count);
    }
}
