namespace Profiles.Grains.Storage;

/// <summary>
/// What one ping of storage found: the shards whose key did not answer in time, and why the first of them did not.
/// Each shard is asked on its own (on a Redis Cluster, at the master holding it), so what two nodes reach compares
/// shard by shard: a master failing over is missing for every node, a node cut off misses what the others reach.
/// </summary>
[GenerateSerializer, Immutable, Alias("StorageReach")]
public sealed record StorageReach([property: Id(0)] int[] Unanswered, [property: Id(1)] string? Failure)
{
    public static readonly StorageReach Everything = new([], null);

    /// <summary>Every shard answered.</summary>
    public bool IsWhole => Unanswered.Length == 0;

    /// <summary>No shard answered: this node has lost storage altogether.</summary>
    public bool IsNone => Unanswered.Length == Shards.Count;

    /// <summary>The reach when no shard answered, for <paramref name="failure"/>.</summary>
    public static StorageReach Nothing(string failure) => new([.. Shards.All], failure);

    /// <summary>"3 of 64 shards (7, 12, 40)" or "all 64 shards", for a log line or a health report.</summary>
    public string DescribeUnanswered() => DescribeShards(Unanswered);

    public static string DescribeShards(IReadOnlyCollection<int> shards) =>
        shards.Count == Shards.Count ? $"all {Shards.Count} shards" : $"{shards.Count} of {Shards.Count} shards ({string.Join(", ", shards.Order())})";
}
