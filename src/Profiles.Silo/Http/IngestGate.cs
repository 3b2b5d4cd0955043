namespace Profiles.Silo.Http;

/// <summary>
/// Lets a few ingest requests work at a time and queues the rest before they do any work. A flood of
/// touchpoints then keeps the node's work queues short, so a storefront lookup does not wait behind
/// thousands of queued grain calls; the queued requests cost nothing while they wait. A request gives up its
/// place when its deadline passes (<see cref="RequestDeadline"/>), so a node whose slots are held by calls to a
/// silent node sheds the queue with 503s instead of piling it up.
/// </summary>
public sealed class IngestGate(int concurrentRequests)
{
    private readonly SemaphoreSlim _slots = new(concurrentRequests, concurrentRequests);

    /// <param name="deadline">Stops the wait for a slot; work that has its slot runs to its end, and only then
    /// frees the slot, so abandoned work never runs beside more than the allowed number.</param>
    public async Task<T> RunAsync<T>(Func<Task<T>> ingest, CancellationToken deadline)
    {
        await _slots.WaitAsync(deadline);
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
