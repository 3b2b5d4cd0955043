namespace Profiles.Silo.Http;

/// <summary>
/// Lets a few ingest requests work at a time and queues the rest before they do any work. A flood of
/// touchpoints then keeps the node's work queues short, so a storefront lookup does not wait behind
/// thousands of queued grain calls; the queued requests cost nothing while they wait. A request that waits
/// longer than the queue limit answers 503 before doing anything (<see cref="IngestQueueTimeoutException"/>):
/// when the slots are held by calls to a node that went silent, or the node is overloaded, clients go to another
/// node instead of piling up here. A request that has its slot runs to its end: every grain call it makes gives
/// up after Orleans' response timeout.
/// </summary>
public sealed class IngestGate(int concurrentRequests, TimeSpan queueLimit)
{
    private readonly SemaphoreSlim _slots = new(concurrentRequests, concurrentRequests);

    public async Task<T> RunAsync<T>(Func<Task<T>> ingest, CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(queueLimit, cancellationToken)) throw new IngestQueueTimeoutException(concurrentRequests, queueLimit);
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

/// <summary>An ingest request waited longer than the queue limit for a slot; the API answers 503.</summary>
public sealed class IngestQueueTimeoutException(int slots, TimeSpan queueLimit)
    : TimeoutException($"This request waited more than {queueLimit.TotalSeconds:0.#} s for one of this node's {slots} ingest slots: " +
                       "the node is overloaded, or its slots wait on a node of the cluster that stopped answering.");
