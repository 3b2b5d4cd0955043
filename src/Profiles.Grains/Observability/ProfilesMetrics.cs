using System.Diagnostics.Metrics;

namespace Profiles.Grains.Observability;

/// <summary>Profiles' own instruments, under the meter <see cref="MeterName"/>; the node exports them as
/// Prometheus text at /metrics.</summary>
public static class ProfilesMetrics
{
    public const string MeterName = "Profiles";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Touchpoints received, tagged <c>result</c> = accepted | duplicate | rejected.</summary>
    public static readonly Counter<long> Touchpoints = Meter.CreateCounter<long>("profiles.touchpoints", "{touchpoint}", "Touchpoints received, by result");

    /// <summary>Profiles merged into another.</summary>
    public static readonly Counter<long> Merges = Meter.CreateCounter<long>("profiles.merges", "{merge}", "Profiles merged into another");

    /// <summary>Open live (server-sent events) subscriptions on this node.</summary>
    public static readonly UpDownCounter<long> LiveSubscribers = Meter.CreateUpDownCounter<long>("profiles.live.subscribers", "{subscriber}", "Open live subscriptions");

    /// <summary>Subscriptions to live streams (the .NET client's watches) that grains on this node hold a lease for.</summary>
    public static readonly UpDownCounter<long> LiveStreamLeases = Meter.CreateUpDownCounter<long>("profiles.live.stream_leases", "{lease}", "Live stream subscriptions leased by grains on this node");

    /// <summary>Records per call of the Redis write script: how far group commit gathers the writes of a shard.</summary>
    public static readonly Histogram<int> WriteBatch = Meter.CreateHistogram<int>("profiles.write.batch", "{record}", "Write records sent to Redis in one call");

    /// <summary>Segment Spec events that could not be touchpoints, tagged <c>reason</c> (too_large, no_identifier,
    /// unknown_type, invalid); the rest of their batch landed.</summary>
    public static readonly Counter<long> SegmentEventsSkipped =
        Meter.CreateCounter<long>("profiles.segment.events.skipped", "{event}", "Segment events skipped, by reason");

    public static void CountSkippedSegmentEvent(string reason) => SegmentEventsSkipped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static void CountTouchpoint(string result) => Touchpoints.Add(1, new KeyValuePair<string, object?>("result", result));
}
