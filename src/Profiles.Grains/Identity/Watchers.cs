using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using Profiles.Contracts.Live;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Live;

namespace Profiles.Grains.Identity;

/// <summary>The live watchers of one grain: grain observers, and leases of subscriptions to the grain's live stream.
/// Both expire unless renewed, which drops watchers whose node, process or connection went away without saying so.
/// Made on the first watch: most grains never have one, and a node holds hundreds of thousands of grains.</summary>
public sealed class Watchers(ILogger logger, LiveSignals signals, LiveTargetKind kind)
{
    public static readonly TimeSpan Expiry = LiveLease.Expiry;

    private ObserverManager<IProfileObserver>? _observers;
    private StreamLeases? _leases;

    public int Count => (_observers?.Count ?? 0) + (_leases?.Count ?? 0);

    public Task Watch(IProfileObserver observer)
    {
        (_observers ??= new(Expiry, logger)).Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task Unwatch(IProfileObserver observer)
    {
        _observers?.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    /// <param name="key">The grain's key, which names its stream.</param>
    public Task WatchStream(string key, Guid subscriptionId)
    {
        (_leases ??= new(signals, LiveTarget.Of(kind, key))).Renew(subscriptionId);
        return _leases.RemoveLapsedAsync();
    }

    /// <summary>The watcher unsubscribed itself; only its lease is left to drop.</summary>
    public Task UnwatchStream(Guid subscriptionId)
    {
        _leases?.Drop(subscriptionId);
        return Task.CompletedTask;
    }

    public void Notify()
    {
        if (_observers is { Count: > 0 }) _observers.Notify(observer => observer.Changed());
        _leases?.Signal();
    }

    /// <summary>On deactivation: a lease not renewed by now belongs to a watcher that is gone.</summary>
    public Task DeactivateAsync() => _leases?.DeactivateAsync() ?? Task.CompletedTask;
}
