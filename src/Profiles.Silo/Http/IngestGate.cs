namespace Profiles.Silo.Http;

/// <summary>
/// Lets a few ingest requests work at a time and queues the rest before they do any work. A flood of
/// touchpoints then keeps the node's work queues short, so a storefront lookup does not wait behind
/// thousands of queued grain calls; the queued requests cost nothing while they wait.
/// </summary>
public sealed class IngestGate(int concurrentRequests)
{
    private readonly SemaphoreSlim _slots = new(concurrentRequests, concurrentRequests);

    public async Task<T> RunAsync<T>(Func<Task<T>> ingest, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await ingest();
        }
        finally
        {
            _slots.Release();
        }
    }
}
