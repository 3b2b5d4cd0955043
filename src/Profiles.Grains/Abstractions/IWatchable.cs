namespace Profiles.Grains.Abstractions;

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
