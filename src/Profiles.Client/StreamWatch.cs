using Orleans.Streams;
using Profiles.Contracts;
using Profiles.Contracts.Live;

namespace Profiles.Client;

/// <summary>
/// One <see cref="IProfilesClient.WatchAsync"/>: subscriptions to the live streams of the identifier and of the profile
/// it leads to, each leased from its grain, followed across merges by <see cref="LiveFollower{TRead}"/>. Disposing
/// unsubscribes and gives the leases back; a client process that dies leaves leases that lapse, and the grains then
/// remove its subscriptions.
/// </summary>
internal sealed class StreamWatch : ILiveSubscriptions, IAsyncDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>How often it re-reads while catching up after a lost gateway.</summary>
    private static readonly TimeSpan CatchUpInterval = TimeSpan.FromSeconds(1);

    private readonly IStreamProvider _streams;
    private readonly IProfilesGateway _gateway;
    private readonly LiveWatches _watches;
    private readonly LiveFollower<FollowedIdentifier> _follower;
    private readonly Dictionary<LiveTarget, StreamSubscriptionHandle<LiveChange>> _subscriptions = [];
    private DateTime _catchUpUntil = DateTime.MinValue;

    public StreamWatch(IClusterClient cluster, IProfilesGateway gateway, string identifierKey, LiveWatches watches)
    {
        _streams = cluster.GetStreamProvider(LiveStreams.Provider);
        _gateway = gateway;
        _watches = watches;
        _follower = new LiveFollower<FollowedIdentifier>(this, LiveTarget.Identifier(identifierKey), async () => await gateway.Follow(identifierKey), followed => followed.ProfileId);
        watches.Add(this);
    }

    /// <summary>
    /// A gateway went away: the grains it watches may have moved with their node, leases and all, and signals queued on
    /// that node are lost until the survivors take its stream queues over. So it renews its leases at once and re-reads
    /// every second until its next regular renewal.
    /// </summary>
    public void RenewSoon()
    {
        _catchUpUntil = DateTime.UtcNow + LiveLease.Renewal;
        _follower.RenewSoon();
    }

    /// <summary>Where the identifier leads now. While the cluster cannot be reached (a gateway lost, a node being declared
    /// dead), it tries again until it can or <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task<FollowedIdentifier?> RefreshAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await _follower.RefreshAsync().WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Waits for a change signal, or until it is time to renew (or, catching up, to re-read).</summary>
    public Task<bool> WaitForChangeAsync(CancellationToken cancellationToken) =>
        _follower.WaitForChangeAsync(DateTime.UtcNow < _catchUpUntil ? CatchUpInterval : LiveLease.Renewal, cancellationToken);

    /// <summary>Subscribes first, then leases: the grain's next signal finds the subscription.</summary>
    public async Task WatchAsync(LiveTarget target)
    {
        if (!_subscriptions.TryGetValue(target, out var subscription))
        {
            subscription = await _streams.GetStream<LiveChange>(LiveStreams.Of(target)).SubscribeAsync(OnChangeAsync);
            _subscriptions[target] = subscription;
        }
        await _gateway.Watch(target, subscription.HandleId);
    }

    public async Task UnwatchAsync(LiveTarget target)
    {
        if (!_subscriptions.Remove(target, out var subscription)) return;
        await subscription.UnsubscribeAsync();
        await _gateway.Unwatch(target, subscription.HandleId);
    }

    private Task OnChangeAsync(LiveChange change, StreamSequenceToken? token)
    {
        _follower.Signal();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _watches.Remove(this);
        try
        {
            await _follower.DisposeAsync();
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            // The cluster cannot be reached right now: the leases lapse, and the grains remove the subscriptions then.
        }
    }
}
