using Orleans.Runtime.Placement;
using Profiles.Grains.Storage;

namespace Profiles.Silo.Operations;

/// <summary>
/// A node that cannot reach Redis while another node of the cluster can is cut off on its own side. It stops, as
/// Orleans stops a node that learns it was declared dead, so that the others take over its grains at once instead
/// of failing every call that lands on them; its supervisor starts it again (a node that starts without Redis
/// fails to join, and a later start succeeds once Redis answers).
/// When no other node reaches Redis either, Redis itself is down: every node stays, answers 503, and recovers
/// by itself when Redis is back. A node only too busy to see its one-second pings answered is not cut off: while it
/// asks the others, it gives storage <see cref="Patience"/> to answer one more ping, which a node cut off never gets.
/// </summary>
public sealed class StorageIsolationGuard(
    StorageWatch storage,
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    IGrainFactory grains,
    IFatalErrorHandler fatalErrors,
    ILogger<StorageIsolationGuard> logger) : BackgroundService
{
    /// <summary>How long storage may not answer before this node asks the others, and gives storage
    /// <see cref="Patience"/> more: a blip (Redis failing over, a connection dropped) shorter than both restarts no
    /// node.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    /// <summary>How long the last ping before a stop may take, asked while the other nodes are. A node that had just
    /// taken over a dead node's grains under a flood of writes saw its pings miss their second for five in a row,
    /// stopped though Redis answered it, and left the last node to take everything (the partition tests, on a loaded
    /// machine).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>A witness that does not answer in this time is cut off from this node too.</summary>
    private static readonly TimeSpan WitnessTimeout = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (storage.UnreachableFor is not { } unreachable || unreachable < Grace) continue;
            // Both at once: a node cut off stops as soon after the grace as before the last ping was added.
            var witnessing = NodeReachingStorageAsync();
            var answering = storage.AnswersWithinAsync(Patience);
            await Task.WhenAll(witnessing, answering);
            if (await witnessing is not { } witness) continue;
            if (await answering)
            {
                logger.LogWarning("Storage answered within {Patience} s after {Seconds:F0} s of missed pings: this node is slow, not cut off, and stays.",
                    Patience.TotalSeconds, unreachable.TotalSeconds);
                continue;
            }
            Stop(unreachable + Patience, witness);
            return;
        }
    }

    /// <summary>Another active node from which storage answers, or null when none does or none can be asked.</summary>
    private async Task<SiloAddress?> NodeReachingStorageAsync()
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
                return report.ReachesStorage && report.Silo == key ? other : null;
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

    private void Stop(TimeSpan unreachable, SiloAddress witness)
    {
        var reason = $"Storage has not answered this node for {unreachable.TotalSeconds:F0} s while it answers {witness}: this node stops so " +
                     "that the other nodes take over its grains.";
        logger.LogError("{Reason}", reason);
        // Not a graceful stop: that would wait on the storage this node cannot reach, while its grains go on
        // failing. The process ends and its connections close, which tells the other nodes at once.
        fatalErrors.OnFatalException(this, reason, null);
    }
}
