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

    /// <summary>Why storage cannot be counted on; null while it answers.</summary>
    public string? StorageProblem() =>
        storage.UnreachableFor is { } unreachable ? $"storage unreachable for {unreachable.TotalSeconds:F0} s ({storage.Failure})" : null;

    /// <summary>The first failing condition, or null when the node is ready.</summary>
    public string? Problem() => ClusterProblem() ?? StorageProblem();
}
