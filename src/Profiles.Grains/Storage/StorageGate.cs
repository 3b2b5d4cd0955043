namespace Profiles.Grains.Storage;

/// <summary>
/// Whether this node may let grain calls touch storage. A node cut off from the cluster long enough may have been
/// declared dead while its grains still hold calls; when the network heals, those would write to Redis beside the
/// activations another node made of the same grains. The gate stays closed from the cut until the node has
/// confirmed it is still an active member (the node's storage watch closes and opens it).
/// </summary>
public interface IStorageGate
{
    /// <summary>Why grain calls are refused now; null while they may go on.</summary>
    string? Refusal { get; }
}

/// <summary>The gate of a cluster that cannot be cut off from its storage: embedded, or a test cluster.</summary>
public sealed class OpenStorageGate : IStorageGate
{
    public string? Refusal => null;
}
