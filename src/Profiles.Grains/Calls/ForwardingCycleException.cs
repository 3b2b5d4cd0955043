namespace Profiles.Grains.Calls;

/// <summary>A follow of forwarding pointers came back to an id that had already forwarded it: the pointers would form
/// a cycle. They cannot (docs/ARCHITECTURE.md, "Why following forwards ends"), so this is a defect, reported instead
/// of a follower that never ends.</summary>
[GenerateSerializer, Alias("ForwardingCycleException")]
public sealed class ForwardingCycleException(string message) : InvalidOperationException(message);
