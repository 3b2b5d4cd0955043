using Orleans.Configuration;

namespace Profiles.Silo.Configuration;

/// <summary>
/// How fast the cluster gives up on a node that stopped answering, so the survivors take over its grains.
/// Orleans' defaults take about a minute; a till waiting on a purchase cannot. Each silo probes others every
/// 2 s and a node missing 3 probes (probe timeout 2 s) is suspected; 2 votes (or the only other silo) declare
/// it dead, so a killed node's grains answer again elsewhere within about 10 s. Shorter would risk declaring
/// a node dead during a long garbage collection.
/// </summary>
public static class MembershipTimeouts
{
    public static void Apply(ClusterMembershipOptions membership)
    {
        membership.ProbeTimeout = TimeSpan.FromSeconds(2);
        membership.NumMissedProbesLimit = 3;
        membership.NumVotesForDeathDeclaration = 2;
        membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        membership.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        membership.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
    }
}
