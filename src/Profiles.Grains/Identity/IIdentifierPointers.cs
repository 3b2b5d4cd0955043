using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Identity;

/// <summary>
/// Where identifiers point, read many at a time. The ingest reads every identifier of a request it does not remember
/// in one go, and activates an identifier's grain only to claim it when it is new: a known identifier costs no
/// activation. A pointer read here may be a moment behind its grain (a change being written), as a node's
/// <see cref="Resolution.IdentifierCache"/> may be; readers already follow forwards and start again on a stale pointer.
/// </summary>
public interface IIdentifierPointers
{
    /// <summary>The profile each identifier points to, in order; null for one never seen (or forgotten).</summary>
    Task<string?[]> ReadAsync(IReadOnlyList<string> identifierKeys);
}

/// <summary>The embedded default's pointers: its grain storage is in memory, so each identifier's grain answers.</summary>
public sealed class GrainIdentifierPointers(IGrainFactory grains) : IIdentifierPointers
{
    public Task<string?[]> ReadAsync(IReadOnlyList<string> identifierKeys) =>
        Task.WhenAll(identifierKeys.Select(key => grains.ByKey<IIdentifierGrain>(key).GetProfile()));
}
