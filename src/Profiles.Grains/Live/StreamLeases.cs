using Profiles.Contracts.Live;
using Profiles.Grains.Observability;

namespace Profiles.Grains.Live;

/// <summary>
/// The subscriptions to one grain's live stream, each leased for <see cref="LiveLease.Expiry"/>. The grain signals
/// on its stream only while it holds a lease, so the many grains nobody watches cost nothing on a change; and a lease
/// that lapsed (the watcher's process died, or lost every gateway) is removed from the stream's subscriptions here,
/// so no subscription outlives its watcher.
/// </summary>
public sealed class StreamLeases(LiveSignals signals, LiveTarget target)
{
    private readonly Dictionary<Guid, DateTime> _lapseAt = [];

    public int Count => _lapseAt.Count;

    public void Renew(Guid subscriptionId)
    {
        if (_lapseAt.TryAdd(subscriptionId, DateTime.UtcNow + LiveLease.Expiry)) ProfilesMetrics.LiveStreamLeases.Add(1);
        else _lapseAt[subscriptionId] = DateTime.UtcNow + LiveLease.Expiry;
    }

    public void Drop(Guid subscriptionId)
    {
        if (_lapseAt.Remove(subscriptionId)) ProfilesMetrics.LiveStreamLeases.Add(-1);
    }

    /// <summary>The grain deactivates: leases still running are forgotten here (their watchers renew them on the next
    /// activation); lapsed ones have their subscriptions removed.</summary>
    public async Task DeactivateAsync()
    {
        await RemoveLapsedAsync();
        ProfilesMetrics.LiveStreamLeases.Add(-_lapseAt.Count);
        _lapseAt.Clear();
    }

    /// <summary>Signals a change to the subscribers whose lease still runs.</summary>
    public void Signal()
    {
        if (_lapseAt.Count == 0) return;
        RemoveLapsedAsync().Ignore();
        if (_lapseAt.Count > 0) signals.Publish(target);
    }

    public Task RemoveLapsedAsync()
    {
        var now = DateTime.UtcNow;
        var lapsed = _lapseAt.Where(lease => lease.Value <= now).Select(lease => lease.Key).ToList();
        if (lapsed.Count == 0) return Task.CompletedTask;
        foreach (var subscriptionId in lapsed) Drop(subscriptionId);
        return Task.WhenAll(lapsed.Select(subscriptionId => signals.RemoveSubscriptionAsync(target, subscriptionId)));
    }
}
