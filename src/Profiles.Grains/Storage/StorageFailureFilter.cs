using System.Net.Sockets;
using StackExchange.Redis;

namespace Profiles.Grains.Storage;

/// <summary>Turns a storage failure inside any grain call into <see cref="StorageUnavailableException"/>, and
/// deactivates the grain, which the next call reads afresh from storage. Refuses every call while the
/// <see cref="IStorageGate"/> is closed.</summary>
public sealed class StorageFailureFilter(IStorageGate gate) : IIncomingGrainCallFilter
{
    private static readonly System.Reflection.Assembly OwnGrains = typeof(StorageFailureFilter).Assembly;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        // Only this project's grains: Orleans' own calls (directory, placement statistics) must go on, or the other
        // nodes could not take over from this one.
        if (context.Grain.GetType().Assembly == OwnGrains && gate.Refusal is { } refusal)
            throw new StorageUnavailableException($"{context.InterfaceMethod.Name} refused: {refusal}");
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            // A write that timed out may have been carried out all the same (a loaded node reads Redis's answer
            // too late). The grain's state would then lag storage: its ETag would refuse every later write, and a
            // profile would fold its journey from the wrong place. Read afresh, it matches storage again.
            context.TargetContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, e, "storage failed during a call"));
            throw Unavailable(context.InterfaceMethod.Name, e);
        }
    }

    /// <summary>The failure as callers on other nodes can receive it: Orleans cannot send most storage exceptions (the
    /// Redis client's, or ours built on them) across the cluster, and a caller handed "no codec" instead could not tell
    /// a storage failure from a defect.</summary>
    public static StorageUnavailableException Unavailable(string what, Exception failure) =>
        new($"{what} could not reach storage: {failure.GetBaseException().GetType().Name}");

    public static bool IsStorageFailure(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            // The Redis client fails the commands a broken connection had in flight with the socket's own error
            // (a reset when Redis died or a firewall refused), not always wrapped in one of its exceptions.
            if (exception is RedisException or TimeoutException or SocketException) return true;
            // Orleans' Redis grain storage (a profile's snapshot) reports any failure, a Redis one included, as its own
            // exception without the cause. Left in memory, a survivor whose snapshot of a merge failed to be written
            // would answer a repeated hand-off "already taken" and lose the merged content when it deactivates.
            if (exception is Orleans.Persistence.Redis.RedisStorageException) return true;
        }
        return false;
    }
}
