using Profiles.Grains.Journey;

namespace Profiles.Silo.Operations;

/// <summary>
/// Pings storage every second, so that the node knows within about two seconds that it lost Redis: it then
/// refuses work at once (<see cref="NodeReadiness"/>) instead of letting each request find out after a timeout,
/// or answer from memory what it can no longer stand behind.
/// </summary>
public sealed class StorageWatch(IJourneyStore journeys, TimeProvider time, ILogger<StorageWatch> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

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

    /// <summary>Pings now: /health/ready answers from a fresh ping, not one up to a second old.</summary>
    public async Task PingAsync()
    {
        try
        {
            // A ping that takes longer than the period counts as lost: with packets silently dropped, the client's
            // own timeout would report the loss only seconds later.
            await journeys.PingAsync().WaitAsync(Period, time);
            Reached();
        }
        catch (Exception e)
        {
            Missed(e.GetBaseException().GetType().Name);
        }
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
