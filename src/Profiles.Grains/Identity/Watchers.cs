using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Identity;

/// <summary>The live watchers of one grain. Subscriptions expire unless renewed, which drops watchers whose
/// node or connection went away without saying so. Made on the first watch: most grains never have one, and a
/// node holds hundreds of thousands of grains.</summary>
public sealed class Watchers(ILogger logger)
{
    public static readonly TimeSpan Expiry = TimeSpan.FromMinutes(2);

    private ObserverManager<IProfileObserver>? _observers;

    public int Count => _observers?.Count ?? 0;

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

    public void Notify()
    {
        if (Count > 0) _observers!.Notify(observer => observer.Changed());
    }
}
