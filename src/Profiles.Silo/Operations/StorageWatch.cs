using Profiles.Grains.Journey;
using Profiles.Grains.Storage;

namespace Profiles.Silo.Operations;

/// <summary>
/// Pings storage every second, so that the node knows within about two seconds that it lost Redis: it then
/// refuses work at once (<see cref="NodeReadiness"/>) instead of letting each request find out after a timeout,
/// or answer from memory what it can no longer stand behind. Storage unreachable for <see cref="CutOffAfter"/>
/// closes the <see cref="IStorageGate"/> as well, and it opens again only once this node has read in the membership
/// table that the cluster still counts it as active: one that was declared dead meanwhile writes nothing more.
/// </summary>
public sealed class StorageWatch(IJourneyStore journeys, IMembershipTable membershipTable, ILocalSiloDetails local, TimeProvider time, ILogger<StorageWatch> logger)
    : BackgroundService, IStorageGate
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>Unreachable this long, the node counts as cut off: a slow ping on a loaded node closes no gate.</summary>
    public static readonly TimeSpan CutOffAfter = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private long? _unreachableSince;
    private string? _failure;

    /// <summary>How long storage has not answered; null while it answers.</summary>
    public TimeSpan? UnreachableFor
    {
        get
        {
            lock (_lock) return _unreachableSince is { } since ? time.GetElapsedTime(since) : null;
        }
    }

    /// <summary>Why the last ping failed, while storage does not answer.</summary>
    public string? Failure
    {
        get
        {
            lock (_lock) return _failure;
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
        UnreachableFor is { } unreachable && unreachable >= CutOffAfter
            ? $"this node has been cut off from storage for {unreachable.TotalSeconds:F0} s ({Failure}), and has not yet confirmed it is still an active member of the cluster"
            : null;

    /// <summary>Pings now: /health/ready answers from a fresh ping, not one up to a second old.</summary>
    public async Task PingAsync()
    {
        try
        {
            // A ping that takes longer than the period counts as lost: with packets silently dropped, the client's
            // own timeout would report the loss only seconds later.
            await journeys.PingAsync().WaitAsync(Period, time);
            if (UnreachableFor >= CutOffAfter && await MembershipStatusAsync(Period) is var status && status != SiloStatus.Active)
            {
                Missed($"the cluster declared this node {status} while it was cut off");
                return;
            }
            Reached();
        }
        catch (Exception e)
        {
            Missed(e.GetBaseException().GetType().Name);
        }
    }

    /// <summary>Whether storage answers one ping within <paramref name="patience"/>, however many pings missed their
    /// second before, and still counts this node an active member of the cluster (a node declared dead while it was cut
    /// off reaches storage again, but is not merely slow). It changes nothing this watch holds: the next regular ping
    /// decides what the node answers.</summary>
    public async Task<bool> AnswersWithinAsync(TimeSpan patience)
    {
        try
        {
            await journeys.PingAsync().WaitAsync(patience, time);
            return await MembershipStatusAsync(patience) == SiloStatus.Active;
        }
        catch (Exception)
        {
            return false;
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

    private void Reached()
    {
        TimeSpan? outage;
        lock (_lock)
        {
            outage = _unreachableSince is { } since ? time.GetElapsedTime(since) : null;
            (_unreachableSince, _failure) = (null, null);
        }
        if (outage is { } lost) logger.LogWarning("Storage answers again, after {Seconds:F1} s unreachable.", lost.TotalSeconds);
    }

    private void Missed(string failure)
    {
        bool first;
        lock (_lock)
        {
            first = _unreachableSince is null;
            _unreachableSince ??= time.GetTimestamp();
            _failure = failure;
        }
        if (first) logger.LogWarning("Storage does not answer ({Failure}): this node answers 503 until it does.", failure);
    }
}
