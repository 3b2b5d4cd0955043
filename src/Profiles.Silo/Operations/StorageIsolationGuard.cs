using Orleans.Runtime.Placement;
using Profiles.Grains.Storage;

namespace Profiles.Silo.Operations;

/// <summary>
/// A node that cannot reach shards of Redis that another node of the cluster reaches is cut off on its own side. It
/// stops, as Orleans stops a node that learns it was declared dead, so that the others take over its grains at once
/// instead of failing every call that lands on them; its supervisor starts it again (a node that starts without Redis
/// fails to join, and a later start succeeds once Redis answers).
/// Like is compared with like: the shards this node misses, asked of the other nodes, then asked again of this node
/// once they have answered. Shards that answer no node are down (a master failing over, or Redis itself): every node
/// stays, answers 503 for what needs them, and recovers by itself when they are back. A master failing over answers
/// each node again as soon as its client learns the new master, a moment apart: asked again after the other node
/// found it, this node finds it too. A node only too busy to see its one-second pings answered is not cut off either:
/// it gets <see cref="Patience"/> to be answered, which a node cut off never is.
/// </summary>
public sealed class StorageIsolationGuard(
    StorageWatch storage,
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    IGrainFactory grains,
    IFatalErrorHandler fatalErrors,
    ILogger<StorageIsolationGuard> logger) : BackgroundService
{
    /// <summary>How long shards of storage may not answer before this node asks the others: a blip (a connection
    /// dropped) shorter than this, and than <see cref="Patience"/> after it, restarts no node.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    /// <summary>How long this node is given to reach the shards another node reaches. A node that had just taken over a
    /// dead node's grains under a flood of writes saw its pings miss their second for five in a row, stopped though
    /// Redis answered it, and left the last node to take everything (the partition tests, on a loaded machine); a
    /// node whose client had not yet learned a new master stopped a second after the other node's had.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>A witness that does not answer in this time is cut off from this node too.</summary>
    private static readonly TimeSpan WitnessTimeout = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        var toldDown = false;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (storage.MissingFor is not { } missing || missing < Grace)
            {
                toldDown = false;
                continue;
            }
            var missed = storage.Reach.Unanswered;
            if (await NodeReachingAsync(missed) is not { } witness)
            {
                if (!toldDown) logger.LogWarning("Storage does not answer this node on {Shards}, and no other node says it reaches them: they are down " +
                                                 "(or this node is cut off from the other nodes too), and this node answers 503 for what needs them while it waits.",
                                                 StorageReach.DescribeShards(missed));
                toldDown = true;
                continue;
            }
            if (await storage.ReachesWithinAsync(witness.Shards, Patience))
            {
                logger.LogWarning("Storage answered within {Patience} s after {Seconds:F0} s of missed pings: this node is slow, not cut off, and stays.",
                    Patience.TotalSeconds, missing.TotalSeconds);
                continue;
            }
            Stop(storage.MissingFor ?? missing, witness);
            return;
        }
    }

    /// <summary>Another active node and those of <paramref name="missed"/> that answer it, or null when none answers
    /// any other node, or no node can be asked.</summary>
    private async Task<Witness?> NodeReachingAsync(int[] missed)
    {
        var others = membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active && !member.SiloAddress.Equals(local.SiloAddress))
            .Select(member => member.SiloAddress);
        var answers = await Task.WhenAll(others.Select(async other =>
        {
            var key = other.ToParsableString();
            RequestContext.Set(IPlacementDirector.PlacementHintKey, other);
            try
            {
                var report = await grains.GetGrain<IStorageWitnessGrain>(key).ReachesStorage().WaitAsync(WitnessTimeout);
                int[] reached = [.. missed.Except(report.Reach.Unanswered)];
                return report.Silo == key && reached.Length > 0 ? new Witness(other, reached) : null;
            }
            catch (Exception)
            {
                // Unreachable, refusing, or failing: in every case not a node known to reach storage. Nothing may
                // escape: a background service that throws stops the whole node.
                return null;
            }
        }));
        return answers.FirstOrDefault(answer => answer is not null);
    }

    private void Stop(TimeSpan missing, Witness witness)
    {
        var reason = $"Storage has not answered this node for {missing.TotalSeconds:F0} s on {StorageReach.DescribeShards(witness.Shards)}, which answer {witness.Node}: " +
                     "this node stops so that the other nodes take over its grains.";
        logger.LogError("{Reason}", reason);
        // Not a graceful stop: that would wait on the storage this node cannot reach, while its grains go on
        // failing. The process ends and its connections close, which tells the other nodes at once.
        fatalErrors.OnFatalException(this, reason, null);
    }

    /// <summary>A node that reaches <see cref="Shards"/>, which this node missed.</summary>
    private sealed record Witness(SiloAddress Node, int[] Shards);
}
