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

    private readonly IStreamProvider _streams;
    private readonly IProfilesGateway _gateway;
    private readonly LiveWatches _watches;
    private readonly LiveFollower<FollowedIdentifier> _follower;
    private readonly Dictionary<LiveTarget, StreamSubscriptionHandle<LiveChange>> _subscriptions = [];

    public StreamWatch(IClusterClient cluster, IProfilesGateway gateway, string identifierKey, LiveWatches watches)
    {
        _streams = cluster.GetStreamProvider(LiveStreams.Provider);
        _gateway = gateway;
        _watches = watches;
        _follower = new LiveFollower<FollowedIdentifier>(this, identifierKey, async () => await gateway.Follow(identifierKey), followed => followed.ProfileId);
        watches.Add(this);
    }

    /// <summary>Its gateway went away: the grains it watches may have moved with their node, leases and all.</summary>
    public void RenewSoon() => _follower.RenewSoon();

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

    public Task<bool> WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken) => _follower.WaitForChangeAsync(timeout, cancellationToken);

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
