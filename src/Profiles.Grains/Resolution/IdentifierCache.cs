using System.Collections.Concurrent;

namespace Profiles.Grains.Resolution;

/// <summary>
/// This node's memory of which profile an identifier belongs to, so a known identifier costs no grain call.
/// An entry can only be stale in a harmless way: a merged-away profile forwards every call, so a remembered profile
/// still leads to the right one; one a resolution moved the identifier away from, or that was erased, says so
/// (<see cref="Abstractions.RetryCause.StalePointer"/>, erased), and the writer starts again from the identifier grain,
/// which stays the authority; on a miss it is asked. Bounded: past <see cref="Capacity"/> entries it starts over.
/// </summary>
public sealed class IdentifierCache
{
    public const int Capacity = 2_000_000;

    private readonly ConcurrentDictionary<string, string> _profileOfKey = new(StringComparer.Ordinal);

    // ConcurrentDictionary.Count takes every lock; an approximate count of additions is enough for a bound.
    private int _added;

    public bool TryGet(string identifierKey, out string profileId) => _profileOfKey.TryGetValue(identifierKey, out profileId!);

    public void Remember(string identifierKey, string profileId)
    {
        if (_profileOfKey.TryAdd(identifierKey, profileId))
        {
            if (Interlocked.Increment(ref _added) < Capacity) return;
            _profileOfKey.Clear();
            Interlocked.Exchange(ref _added, 0);
        }
        else
        {
            _profileOfKey[identifierKey] = profileId;
        }
    }

    public void Forget(string identifierKey) => _profileOfKey.TryRemove(identifierKey, out _);
}
