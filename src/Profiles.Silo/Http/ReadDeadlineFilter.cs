using Microsoft.Extensions.Options;
using Profiles.Silo.Configuration;

namespace Profiles.Silo.Http;

/// <summary>
/// Holds a read (lookup, profile, journey page) to <c>Profiles:ReadDeadline</c>: a read that needs a node that went
/// silent answers 503 then, even when several of its grain calls would each wait their own timeout in turn. A read
/// changes nothing, so leaving it unfinished costs nothing; ingest is bounded where it queues instead (IngestGate),
/// since work abandoned half-way would make the client's retry answer duplicate.
/// </summary>
public sealed class ReadDeadlineFilter(IOptions<ProfilesOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var limit = options.Value.ReadDeadline;
        var read = next(context).AsTask();
        try
        {
            return await read.WaitAsync(limit, context.HttpContext.RequestAborted);
        }
        catch (TimeoutException)
        {
            // Whatever the abandoned read ends with, nobody waits for it any more.
            _ = read.ContinueWith(static task => task.Exception, TaskContinuationOptions.OnlyOnFaulted);
            throw new ReadDeadlineExceededException(limit);
        }
    }
}

/// <summary>A read did not complete within <c>Profiles:ReadDeadline</c>; the API answers 503.</summary>
public sealed class ReadDeadlineExceededException(TimeSpan limit)
    : TimeoutException($"This read did not complete within {limit.TotalSeconds:0.#} s: a node of the cluster or the storage is slow or unreachable.");
