namespace Profiles.Bench.Faults;

/// <summary>What a fault does; <see cref="FaultPlan"/> draws them.</summary>
public enum FaultKind
{
    /// <summary>SIGKILL a node; its supervisor starts it again after the hold.</summary>
    KillNode,
    /// <summary>SIGSTOP a node for the hold, then SIGCONT.</summary>
    PauseNode,
    /// <summary>Drop the packets between a node and the other nodes for the hold.</summary>
    CutFromNodes,
    /// <summary>Drop a node's packets to Redis for the hold.</summary>
    CutFromRedis,
    /// <summary>Both cuts at once: the node still answers its clients, and reaches nothing.</summary>
    CutFromBoth,
    /// <summary>SIGKILL the one redis-server and start it again after the hold, from its append-only file.</summary>
    KillRedis,
    /// <summary>SIGKILL a Redis Cluster master; once its replica has taken over, and the hold has passed, it starts
    /// again and joins as a replica.</summary>
    FailOverMaster,
}

/// <param name="Target">The node (0, 1 or 2), or for <see cref="FaultKind.FailOverMaster"/> the master in port order;
/// unused by <see cref="FaultKind.KillRedis"/>.</param>
/// <param name="At">When the fault starts, from the start of the load.</param>
/// <param name="Hold">How long it lasts: a node or Redis down, paused or cut off.</param>
public sealed record Fault(FaultKind Kind, int Target, TimeSpan At, TimeSpan Hold)
{
    public bool HitsOneNode => Kind is not (FaultKind.KillRedis or FaultKind.FailOverMaster);

    public override string ToString() => Kind switch
    {
        FaultKind.KillNode => $"kill node {Target + 1}, down {Hold.TotalSeconds:0.#} s",
        FaultKind.PauseNode => $"pause node {Target + 1} for {Hold.TotalSeconds:0.#} s",
        FaultKind.CutFromNodes => $"cut node {Target + 1} from the nodes for {Hold.TotalSeconds:0.#} s",
        FaultKind.CutFromRedis => $"cut node {Target + 1} from Redis for {Hold.TotalSeconds:0.#} s",
        FaultKind.CutFromBoth => $"cut node {Target + 1} from the nodes and Redis for {Hold.TotalSeconds:0.#} s",
        FaultKind.KillRedis => $"kill Redis, down {Hold.TotalSeconds:0.#} s",
        _ => $"kill master {Target + 1}, back as a replica {Hold.TotalSeconds:0.#} s after the failover",
    };

    /// <summary>The kind as a row of the campaign's table.</summary>
    public static string Name(FaultKind kind) => kind switch
    {
        FaultKind.KillNode => "SIGKILL a node, restart",
        FaultKind.PauseNode => "SIGSTOP a node 2-20 s",
        FaultKind.CutFromNodes => "drop a node's packets to the nodes",
        FaultKind.CutFromRedis => "drop a node's packets to Redis",
        FaultKind.CutFromBoth => "drop a node's packets to both",
        FaultKind.KillRedis => "SIGKILL Redis, restart",
        _ => "SIGKILL a master, back as replica",
    };
}

/// <summary>
/// The faults of one schedule, drawn from its seed alone: 1 to 3 faults one after the other, the first 3 to 8 s into
/// the load, each followed by 5 to 12 s in which the cluster recovers before the next, none starting in the load's
/// last 8 s. Kinds, targets, starts and holds are the seed's; only how long a failover or a restart takes is the
/// machine's.
/// </summary>
public static class FaultPlan
{
    public const int Nodes = 3;

    public static IReadOnlyList<Fault> For(int seed, TimeSpan load, bool redisCluster)
    {
        FaultKind[] kinds = [FaultKind.KillNode, FaultKind.PauseNode, FaultKind.CutFromNodes, FaultKind.CutFromRedis, FaultKind.CutFromBoth,
            redisCluster ? FaultKind.FailOverMaster : FaultKind.KillRedis];
        var rng = new Random(seed);
        var faults = new List<Fault>();
        var at = Seconds(rng, 3, 8);
        for (var count = 1 + rng.Next(3); faults.Count < count && at < load - TimeSpan.FromSeconds(8); )
        {
            var kind = kinds[rng.Next(kinds.Length)];
            var hold = kind switch
            {
                FaultKind.KillNode or FaultKind.KillRedis => Seconds(rng, 1, 6),
                FaultKind.PauseNode => Seconds(rng, 2, 20),
                FaultKind.FailOverMaster => Seconds(rng, 0, 5),
                _ => Seconds(rng, 3, 20),
            };
            faults.Add(new Fault(kind, rng.Next(Nodes), at, hold));
            at += hold + Seconds(rng, 5, 12);
        }
        return faults;
    }

    private static TimeSpan Seconds(Random rng, double from, double to) => TimeSpan.FromSeconds(Math.Round(from + rng.NextDouble() * (to - from), 1));
}
