using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Orleans.Streams.Core;
using Profiles.Contracts.Live;

namespace Profiles.Grains.Live;

/// <summary>Signals changes on the live streams (<see cref="LiveStreams"/>) and removes lapsed subscriptions from them.</summary>
public sealed class LiveSignals(IServiceProvider services)
{
    private static readonly LiveChange Change = new();

    private IStreamProvider Provider => services.GetRequiredKeyedService<IStreamProvider>(LiveStreams.Provider);

    /// <summary>Fire and forget: a lost signal costs a watcher nothing it does not catch up with at its next renewal,
    /// and the change it announces must not wait for it.</summary>
    public void Publish(LiveTarget target) => Provider.GetStream<LiveChange>(LiveStreams.Of(target)).OnNextAsync(Change).Ignore();

    public Task RemoveSubscriptionAsync(LiveTarget target, Guid subscriptionId) =>
        ((IStreamSubscriptionManagerRetriever)Provider).GetStreamSubscriptionManager()!
            .RemoveSubscription(LiveStreams.Provider, LiveStreams.Of(target), subscriptionId);
}
