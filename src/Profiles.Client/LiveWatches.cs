using System.Collections.Concurrent;

namespace Profiles.Client;

/// <summary>The client's open watches, told when a gateway is lost so that they renew their leases at once rather than at
/// their next renewal: the grains they watched may have lived on that node.</summary>
internal sealed class LiveWatches : IClusterConnectionStatusObserver
{
    private readonly ConcurrentDictionary<StreamWatch, bool> _open = new();

    public void Add(StreamWatch watch) => _open.TryAdd(watch, true);

    public void Remove(StreamWatch watch) => _open.TryRemove(watch, out _);

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways >= previousNumberOfGateways && !connectionRecovered) return;
        foreach (var watch in _open.Keys) watch.RenewSoon();
    }

    public void NotifyClusterConnectionLost()
    {
    }
}
