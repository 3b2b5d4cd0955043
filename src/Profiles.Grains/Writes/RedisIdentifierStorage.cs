using Orleans.Storage;
using Profiles.Grains.Identity;

namespace Profiles.Grains.Writes;

/// <summary>
/// The identifier grains' storage in Redis: each identifier's pointer is a field of its shard's hash
/// (<see cref="Storage.RedisLayout.Identifiers"/>), not a key of its own, and each write goes through the shard's
/// group commit (<see cref="RedisWrites"/>) and each read through the shared read rounds
/// (<see cref="RedisIdentifierPointers"/>): the first sightings of a request's identifiers are read and written in a
/// few calls instead of one each, and a pointer costs a hash field instead of a key. The ETag is the pointer itself: a
/// write lands only while the stored pointer is the one the activation read, so two activations of one identifier
/// (a node cut off, Orleans briefly running two) cannot overwrite each other, as with Orleans' own Redis storage.
/// </summary>
public sealed class RedisIdentifierStorage(RedisWrites writes, RedisIdentifierPointers pointers) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var pointer = await pointers.ReadAsync(grainId.Key.ToString()!);
        State(grainState).ProfileId = pointer;
        grainState.ETag = pointer;
        grainState.RecordExists = pointer is not null;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var pointer = State(grainState).ProfileId;
        await PointAsync(grainId, grainState.ETag, pointer);
        grainState.ETag = pointer;
        grainState.RecordExists = pointer is not null;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await PointAsync(grainId, grainState.ETag, null);
        grainState.ETag = null;
        grainState.RecordExists = false;
        State(grainState).ProfileId = null;
    }

    private async Task PointAsync(GrainId grainId, string? expected, string? pointer)
    {
        var key = grainId.Key.ToString()!;
        if (!await writes.PointAsync(key, expected, pointer))
        {
            throw new InconsistentStateException($"Identifier {key}'s pointer changed since this activation read it.", "(stored)", expected ?? "(none)");
        }
    }

    private static IdentifierState State<T>(IGrainState<T> grainState)
    {
        if (typeof(T) != typeof(IdentifierState)) throw new InvalidOperationException($"{nameof(RedisIdentifierStorage)} stores {nameof(IdentifierState)} only, not {typeof(T).Name}.");
        if (grainState.State is null) grainState.State = (T)(object)new IdentifierState();
        return (IdentifierState)(object)grainState.State!;
    }
}
