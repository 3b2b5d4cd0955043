namespace Profiles.Grains.Abstractions;

/// <summary>
/// Told that something it watches changed: a profile (new touchpoints, a merge in or out, an erasure) or an
/// identifier (it became known, moved, or was erased). It carries no data: the watcher reads the latest state,
/// so a burst of changes reaches a slow client as one current state, never as a backlog.
/// </summary>
[Alias("IProfileObserver")]
public interface IProfileObserver : IGrainObserver
{
    [Alias("Changed"), OneWay]
    Task Changed();
}

/// <summary>A grain that live watchers can subscribe to: as grain observers (the live HTTP stream), or through the
/// grain's live stream (the .NET client, see <see cref="Profiles.Contracts.Live.LiveStreams"/>). A subscription lasts a
/// few minutes unless renewed, so a watcher that vanished without unsubscribing is forgotten.</summary>
[Alias("IWatchable")]
public interface IWatchable
{
    [Alias("Watch")]
    Task Watch(IProfileObserver observer);

    [Alias("Unwatch")]
    Task Unwatch(IProfileObserver observer);

    /// <summary>Signals changes on this grain's live stream while the stream subscription
    /// <paramref name="subscriptionId"/> renews this; once it lapses, the grain removes that subscription.</summary>
    [Alias("WatchStream")]
    Task WatchStream(Guid subscriptionId);

    [Alias("UnwatchStream")]
    Task UnwatchStream(Guid subscriptionId);
}
