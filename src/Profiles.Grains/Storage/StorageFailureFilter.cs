using StackExchange.Redis;

namespace Profiles.Grains.Storage;

/// <summary>Turns a storage failure inside any grain call into <see cref="StorageUnavailableException"/>.</summary>
public sealed class StorageFailureFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            throw new StorageUnavailableException($"{context.InterfaceMethod.Name} could not reach storage: {e.GetBaseException().GetType().Name}");
        }
    }

    public static bool IsStorageFailure(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is RedisException or TimeoutException) return true;
        }
        return false;
    }
}
