namespace Profiles.Silo.Operations;

/// <summary>
/// Whether this node can stand behind its answers: its silo is an active member of the cluster and its storage
/// answers. /health/ready reports each condition, and the API refuses work with a 503 while one fails
/// (<see cref="Http.ReadinessFilter"/>).
/// </summary>
public sealed class NodeReadiness(IClusterMembershipService membership, ILocalSiloDetails silo, StorageWatch storage)
{
    /// <summary>Why the silo is not an active member of the cluster (starting, leaving, declared dead); null when it is.</summary>
    public string? ClusterProblem()
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return status == SiloStatus.Active ? null : $"this silo is {status}, not an active member of the cluster";
    }

    /// <summary>Why storage cannot be counted on (no shard answers this node); null while one does.</summary>
    public string? StorageProblem() =>
        storage.CutOffFor is { } cutOff ? $"storage unreachable for {cutOff.TotalSeconds:F0} s ({storage.Reach.Failure})" : null;

    /// <summary>Which shards of storage do not answer while others do (a Redis Cluster master failing over, or down);
    /// null while every shard answers, or none. The node still serves what needs only the others.</summary>
    public string? StorageDegradation() =>
        storage.Reach is { IsWhole: false, IsNone: false } reach && storage.MissingFor is { } missing
            ? $"{reach.DescribeUnanswered()} unreachable for {missing.TotalSeconds:F0} s ({reach.Failure}): what needs them answers 503"
            : null;

    /// <summary>The first failing condition, or null when the node is ready.</summary>
    public string? Problem() => ClusterProblem() ?? StorageProblem();
}
