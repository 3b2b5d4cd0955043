using Orleans.Configuration;

namespace Profiles.Silo.Configuration;

/// <summary>
/// How fast the cluster gives up on a node that stopped answering, so the survivors take over its grains, and how
/// long a grain call waits for an answer. Orleans' defaults take about a minute; a till waiting on a purchase
/// cannot (docs/OPERATIONS.md, "When a node fails", lists each setting with Orleans' default).
/// </summary>
public static class MembershipTimeouts
{
    /// <summary>A grain call unanswered after this fails with a timeout, which the API answers with a 503: with the
    /// ingest queue limit (IngestGate), it bounds how long any request waits on a node that went silent.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(3);

    public static void Apply(ClusterMembershipOptions membership)
    {
        // Each silo probes the others, with a timeout (and period) that adapts to the measured round trips between
        // half the initial value and MaxProbeTimeout; missing NumMissedProbesLimit probes in a row makes it vote the
        // silent node dead, and one vote is enough in a cluster of two. A node whose process died refuses the
        // probes at once, so it is declared dead after three probe periods, 2 to 4 s on an idle machine.
        membership.ProbeTimeout = TimeSpan.FromSeconds(1);
        // The ceiling matters more than the start: a loaded silo stretches its probe timeout up to it
        // (ExtendProbeTimeoutDuringDegradation), and a vote against a node is suppressed while any message came
        // from it within MaxProbeTimeout x NumMissedProbesLimit (EnableConnectionLivenessCheck). Orleans' default
        // ceiling, four times ProbeTimeout, let a node whose packets were dropped keep its grains for 24 s; 3 s x 3
        // declares it dead within about 10 s of its last message. A node silent for 9 s (a pause, not a slow
        // answer) is declared dead too, and stops itself when it learns it.
        membership.MaxProbeTimeout = TimeSpan.FromSeconds(3);
        membership.NumMissedProbesLimit = 3;
        membership.NumVotesForDeathDeclaration = 2;
        membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        membership.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        membership.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
    }

    /// <summary>Orleans waits 30 s by default: a call to a node that went silent would hold its request, and
    /// the ingest slot it occupies, until the node is declared dead or long after.</summary>
    public static void Apply(SiloMessagingOptions messaging) => messaging.ResponseTimeout = ResponseTimeout;
}
