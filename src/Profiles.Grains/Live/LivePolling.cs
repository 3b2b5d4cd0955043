namespace Profiles.Grains.Live;

/// <summary>How often each node's agents poll the live stream queues. Memory stream queues are polled, not pushed, so
/// this is the most a signal waits; the cost is a few hundred tiny grain calls a second per node, idle or not.</summary>
public static class LivePolling
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(5);
}
