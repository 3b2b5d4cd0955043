namespace Profiles.Silo.Http;

/// <summary>
/// The longest a client waits for an API call that works on grains (<c>Profiles:RequestDeadline</c>): past it the
/// call answers 503 and the client retries, on another node if it has one, instead of hanging on a node of the
/// cluster that went silent. Work under way is left to finish by itself (a grain call gives up after Orleans'
/// response timeout); touchpoints it stores answer <c>duplicate</c> when retried.
/// </summary>
public sealed class RequestDeadline(TimeSpan limit)
{
    public TimeSpan Limit => limit;

    /// <param name="work">Given a token that fires at the deadline, for the waits it can give up (a queue).</param>
    /// <param name="aborted">The client went away: give up without answering.</param>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken aborted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(limit);
        var running = work(deadline.Token);
        try
        {
            return await running.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            // Whatever the abandoned work ends with, nobody waits for it any more.
            _ = running.ContinueWith(static task => task.Exception, TaskContinuationOptions.OnlyOnFaulted);
            throw new DeadlineExceededException(limit);
        }
    }
}

/// <summary>An API call did not complete within its <see cref="RequestDeadline"/>; the API answers 503.</summary>
public sealed class DeadlineExceededException(TimeSpan limit)
    : TimeoutException($"This request did not complete within {limit.TotalSeconds:0.#} s: a node of the cluster or the storage is slow or unreachable.");

/// <summary>Holds lookups and reads to the <see cref="RequestDeadline"/>.</summary>
public sealed class RequestDeadlineFilter(RequestDeadline deadline) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        await deadline.RunAsync(_ => next(context).AsTask(), context.HttpContext.RequestAborted);
}
