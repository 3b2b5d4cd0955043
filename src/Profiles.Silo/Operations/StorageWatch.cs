using Profiles.Grains.Journey;
using Profiles.Grains.Storage;

namespace Profiles.Silo.Operations;

/// <summary>
/// Pings every shard of storage every second, so that the node knows within about two seconds what it lost. No shard
/// answering is this node cut off from Redis: it then refuses work at once (<see cref="NodeReadiness"/>) instead of
/// letting each request find out after a timeout, or answer from memory what it can no longer stand behind; for
/// <see cref="CutOffAfter"/>, it closes the <see cref="IStorageGate"/> as well, which opens again only once this node
/// has read in the membership table that the cluster still counts it as active: one that was declared dead meanwhile
/// writes nothing more. Some shards missing (a master failing over, or down) is not being cut off: requests that need
/// those shards answer 503 as their calls fail, the others are served, and the isolation guard asks the other nodes
/// whether those shards answer them.
/// </summary>
public sealed class StorageWatch(IJourneyStore journeys, IMembershipTable membershipTable, ILocalSiloDetails local, TimeProvider time, ILogger<StorageWatch> logger)
    : BackgroundService, IStorageGate
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>Between two pings of <see cref="ReachesWithinAsync"/> that failed at once (a connection refused, a
    /// cluster refusing commands while it fails over).</summary>
    private static readonly TimeSpan PingAgainAfter = TimeSpan.FromMilliseconds(250);

    /// <summary>Unreachable this long, the node counts as cut off: a slow ping on a loaded node closes no gate.</summary>
    public static readonly TimeSpan CutOffAfter = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private StorageReach _reach = StorageReach.Everything;
    private long? _missingSince;
    private long? _cutOffSince;

    /// <summary>What the last ping reached.</summary>
    public StorageReach Reach
    {
        get
        {
            lock (_lock) return _reach;
        }
    }

    /// <summary>How long some shard has not answered; null while every shard answers.</summary>
    public TimeSpan? MissingFor
    {
        get
        {
            lock (_lock) return _missingSince is { } since ? time.GetElapsedTime(since) : null;
        }
    }

    /// <summary>How long no shard has answered, this node cut off from storage; null while one answers.</summary>
    public TimeSpan? CutOffFor
    {
        get
        {
            lock (_lock) return _cutOffSince is { } since ? time.GetElapsedTime(since) : null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        do
        {
            await PingAsync();
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public string? Refusal =>
        CutOffFor is { } cutOff && cutOff >= CutOffAfter
            ? $"this node has been cut off from storage for {cutOff.TotalSeconds:F0} s ({Reach.Failure}), and has not yet confirmed it is still an active member of the cluster"
            : null;

    /// <summary>Pings now: /health/ready answers from a fresh ping, not one up to a second old. A shard whose answer
    /// takes longer than the period counts as lost: with packets silently dropped, the client's own timeout would
    /// report the loss only seconds later.</summary>
    public async Task PingAsync()
    {
        var reach = await journeys.ReachAsync(Period);
        if (!reach.IsNone && CutOffFor >= CutOffAfter)
        {
            try
            {
                if (await MembershipStatusAsync(Period) is var status && status != SiloStatus.Active)
                {
                    reach = StorageReach.Nothing($"the cluster declared this node {status} while it was cut off");
                }
            }
            catch (Exception e)
            {
                reach = StorageReach.Nothing($"the membership table did not answer: {e.GetBaseException().GetType().Name}");
            }
        }
        Observe(reach);
    }

    /// <summary>Whether each of <paramref name="shards"/> answers this node within <paramref name="patience"/>, asked
    /// again while it has not, however many pings missed their second before, and the membership table does not say
    /// the cluster declared this node dead (one declared dead while it was cut off reaches storage again, but is not
    /// merely slow). A table that cannot be read says nothing: it may sit on a shard this node's client has not yet
    /// found the new master of. It changes nothing this watch holds: the next regular ping decides what the node
    /// answers.</summary>
    public async Task<bool> ReachesWithinAsync(IReadOnlyCollection<int> shards, TimeSpan patience)
    {
        var started = time.GetTimestamp();
        var waiting = shards.ToHashSet();
        while (waiting.Count > 0)
        {
            var left = patience - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) return false;
            var reach = await journeys.ReachAsync(left);
            waiting.IntersectWith(reach.Unanswered);
            if (waiting.Count > 0) await Task.Delay(PingAgainAfter, time);
        }
        try
        {
            return await MembershipStatusAsync(patience) == SiloStatus.Active;
        }
        catch (Exception)
        {
            return true;
        }
    }

    /// <summary>This node's status in the membership table itself, not in the node's view of it, which a node cut
    /// off learns only later.</summary>
    private async Task<SiloStatus> MembershipStatusAsync(TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience, time);
        var row = await membershipTable.ReadRowAsync(local.SiloAddress, timeout.Token);
        return row.Members.Select(member => member.Item1.Status).DefaultIfEmpty(SiloStatus.None).First();
    }

    private void Observe(StorageReach reach)
    {
        TimeSpan? outage;
        bool lost;
        lock (_lock)
        {
            var now = time.GetTimestamp();
            lost = !reach.IsWhole && _reach.IsWhole;
            outage = reach.IsWhole && _missingSince is { } since ? time.GetElapsedTime(since) : null;
            _missingSince = reach.IsWhole ? null : _missingSince ?? now;
            _cutOffSince = reach.IsNone ? _cutOffSince ?? now : null;
            _reach = reach;
        }
        if (lost)
        {
            logger.LogWarning("Storage does not answer on {Shards} ({Failure}): this node answers 503 for what needs them until they do.",
                reach.DescribeUnanswered(), reach.Failure);
        }
        if (outage is { } missed) logger.LogWarning("Storage answers again on every shard, after {Seconds:F1} s.", missed.TotalSeconds);
    }
}
