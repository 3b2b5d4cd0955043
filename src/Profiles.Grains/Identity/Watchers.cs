using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Identity;

/// <summary>The live watchers of one grain. Subscriptions expire unless renewed, which drops watchers whose
/// node or connection went away without saying so.</summary>
public sealed class Watchers(ILogger logger)
{
    public static readonly TimeSpan Expiry = TimeSpan.FromMinutes(2);

    private readonly ObserverManager<IProfileObserver> _observers = new(Expiry, logger);

    public int Count => _observers.Count;

    public void Watch(IProfileObserver observer) => _observers.Subscribe(observer, observer);

    public void Unwatch(IProfileObserver observer) => _observers.Unsubscribe(observer);

    public void Notify()
    {
        if (_observers.Count > 0) _observers.Notify(observer => observer.Changed());
    }
}
