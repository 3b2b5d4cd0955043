namespace Profiles.Silo.Http;

/// <summary>
/// Lets a few ingest requests work at a time and queues the rest before they do any work. A flood of
/// touchpoints then keeps the node's work queues short, so a storefront lookup does not wait behind
/// thousands of queued grain calls; the queued requests cost nothing while they wait, and a node that is only
/// busy lets them wait their turn. For a while after an ingest failed (a grain call timed out, a node or storage
/// unreachable) the node sheds instead, so clients go to another node rather than pile up behind calls to a node
/// that went silent: a request that waited longer than the queue limit for a slot answers 503 before doing
/// anything, and one still running after <see cref="PatienceWhileShedding"/> answers 503 too, its work left to
/// finish in its slot (a retry of what it stored answers duplicate) (<see cref="IngestQueueTimeoutException"/>).
/// </summary>
public sealed class IngestGate(int concurrentRequests, TimeSpan queueLimit)
{
    /// <summary>How long after a failed ingest the gate sheds.</summary>
    private static readonly TimeSpan SheddingAfterFailure = TimeSpan.FromSeconds(10);

    /// <summary>While shedding, the longest a client waits for an ingest answer, its wait for a slot included.</summary>
    public static readonly TimeSpan PatienceWhileShedding = TimeSpan.FromSeconds(3);

    /// <summary>How often a waiting request looks again whether it should give up.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(200);

    private readonly SemaphoreSlim _slots = new(concurrentRequests, concurrentRequests);
    private long _lastFailure;

    public async Task<T> RunAsync<T>(Func<Task<T>> ingest, CancellationToken cancellationToken)
    {
        var arrived = TimeProvider.System.GetTimestamp();
        while (!await _slots.WaitAsync(Recheck, cancellationToken))
        {
            if (Shedding && TimeProvider.System.GetElapsedTime(arrived) > queueLimit) throw new IngestQueueTimeoutException(concurrentRequests, queueLimit);
        }
        var work = RunInSlotAsync(ingest);
        while (await Task.WhenAny(work, Task.Delay(Recheck, cancellationToken)) != work)
        {
            if (Shedding && TimeProvider.System.GetElapsedTime(arrived) > PatienceWhileShedding)
            {
                _ = work.ContinueWith(static task => task.Exception, TaskContinuationOptions.OnlyOnFaulted);
                throw new IngestQueueTimeoutException(concurrentRequests, queueLimit);
            }
        }
        return await work;
    }

    private async Task<T> RunInSlotAsync<T>(Func<Task<T>> ingest)
    {
        try
        {
            return await ingest();
        }
        catch
        {
            Volatile.Write(ref _lastFailure, TimeProvider.System.GetTimestamp());
            throw;
        }
        finally
        {
            _slots.Release();
        }
    }

    private bool Shedding => Volatile.Read(ref _lastFailure) is var failedAt and not 0
                             && TimeProvider.System.GetElapsedTime(failedAt) < SheddingAfterFailure;
}

/// <summary>An ingest request gave up while the node was shedding; the API answers 503.</summary>
public sealed class IngestQueueTimeoutException(int slots, TimeSpan queueLimit)
    : TimeoutException($"This request did not get one of this node's {slots} ingest slots within {queueLimit.TotalSeconds:0.#} s, " +
                       $"or did not complete within {IngestGate.PatienceWhileShedding.TotalSeconds:0.#} s, just after an ingest failed: " +
                       "a node of the cluster or the storage is slow or unreachable.");
