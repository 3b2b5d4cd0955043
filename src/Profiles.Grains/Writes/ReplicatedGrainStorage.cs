using Orleans.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.Writes;

/// <summary>
/// Orleans' Redis grain storage (profiles' and resolutions' state) on a replicated Redis: a state write counts as done
/// only once the replicas <see cref="ReplicaWait"/> requires have it, as the group commit's writes do. A survivor's
/// snapshot records a merge (the profiles it took, their content); lost with a master that failed over after
/// answering, it would leave the merged profile forwarding to a survivor that never took its touchpoints.
/// </summary>
/// <remarks>
/// The wrapped storage sends its writes through <see cref="ReplicaWait.Connection"/> (a connection of its own, not the
/// group commit's), so the WAIT sent after a write
/// was answered goes to the same master on the same connection, and counts that write.
/// </remarks>
/// <param name="stored">Orleans' Redis grain storage, connected through <see cref="ReplicaWait.Connection"/>.</param>
/// <param name="key">The Redis key <paramref name="stored"/> keeps a grain's state under.</param>
public sealed class ReplicatedGrainStorage(IGrainStorage stored, ReplicaWait replicas, Func<string, GrainId, RedisKey> key)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        stored.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await stored.WriteStateAsync(stateName, grainId, grainState);
        await replicas.WaitForWritesAsync(key(stateName, grainId));
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await stored.ClearStateAsync(stateName, grainId, grainState);
        await replicas.WaitForWritesAsync(key(stateName, grainId));
    }

    /// <summary>The wrapped storage connects when the silo starts.</summary>
    public void Participate(ISiloLifecycle lifecycle) => (stored as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}
