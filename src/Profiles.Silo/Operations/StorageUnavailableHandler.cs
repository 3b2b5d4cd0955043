using Microsoft.AspNetCore.Diagnostics;
using Profiles.Grains.Calls;
using Profiles.Grains.History;
using Profiles.Grains.Writes;
using Profiles.Grains.Storage;
using Profiles.Silo.Http;

namespace Profiles.Silo.Operations;

/// <summary>
/// Redis unreachable, a node of the cluster gone and not yet declared dead, this node declared dead and not yet
/// stopped, no ingest slot in time, a read past its deadline, or profiles that kept changing under a request for
/// longer than its call budget:
/// answer 503 at once with a problem, so clients retry instead of waiting. A retry is safe: touchpoints stored
/// before the failure answer <c>duplicate</c>.
/// </summary>
public sealed class StorageUnavailableHandler(IProblemDetailsService problems, ILogger<StorageUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailability(exception)) return false;
        logger.LogWarning("Answering 503: {Reason}: {Message}", exception.GetBaseException().GetType().Name, exception.GetBaseException().Message);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        var (title, detail) = exception switch
        {
            IngestQueueTimeoutException => ("Busy", exception.Message),
            CallBudgetSpentException => ("Still changing", exception.Message),
            ReadDeadlineExceededException => ("Not completed in time", exception.Message),
            HistoryUnavailableException => ("History unavailable",
                "This request needs journey items older than the hot window, kept in the history tier, which cannot be reached right now; recent journey pages and writes are served."),
            _ => ("Storage unavailable", "Profiles cannot reach its storage or a node of its cluster right now, so this request was not completed."),
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = title,
                Detail = $"{detail} {Problems.RetryAdvice}",
            },
        });
    }

    /// <summary>How Orleans words the refusals of a node the others declared dead (after a pause or a cut) before it
    /// has learnt so and stopped: the directory will not register a new activation here, or the runtime is shutting
    /// down. For that quarter of a second another node can serve the request, as after any other node failure.</summary>
    private static readonly string[] NodeLeavingMessages = ["on invalid silo", "is shutting down"];

    /// <summary>The storage exceptions no codec carries: the Redis client's own, and ours built on them.</summary>
    private static readonly string[] UnsendableStorageFailures = ["StackExchange.Redis.", typeof(ReplicasBehindException).FullName!];

    private static bool IsUnavailability(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is StorageUnavailableException or HistoryUnavailableException or TimeoutException or SiloUnavailableException or OrleansMessageRejectionException) return true;
            // Storage holds a newer version than the grain knew (a write it thought had failed went through); Orleans
            // deactivates the grain, and a retry reads it afresh.
            if (exception is Orleans.Storage.InconsistentStateException) return true;
            // A call that expired inside the cluster: Orleans cancels a message it could not place in time while a
            // node is gone and not yet declared dead. (A client that went away reads no answer at all.)
            if (exception is OperationCanceledException) return true;
            if (StorageFailureFilter.IsStorageFailure(exception)) return true;
            // A grain whose state could not be read fails to activate before any filter runs; Orleans reports
            // it with this message only.
            if (exception is OrleansException && exception.Message.Contains("Error from storage provider", StringComparison.Ordinal)) return true;
            // A storage exception Orleans cannot send back from the grain: raised where no filter converts it, inside the
            // failure Orleans reports for a grain whose state could not be read as it activated. The caller gets this
            // instead, naming the exception's type.
            if (exception is Orleans.Serialization.CodecNotFoundException && UnsendableStorageFailures.Any(exception.Message.Contains)) return true;
            if (exception is OrleansException && NodeLeavingMessages.Any(exception.Message.Contains)) return true;
            if (exception is AggregateException aggregate && aggregate.InnerExceptions.Any(IsUnavailability)) return true;
        }
        return false;
    }
}
