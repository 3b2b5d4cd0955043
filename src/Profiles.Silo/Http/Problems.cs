using Microsoft.AspNetCore.Http.HttpResults;

namespace Profiles.Silo.Http;

/// <summary>Every 4xx/5xx answer is application/problem+json with a human-readable detail.</summary>
public static class Problems
{
    /// <summary>What every 503 tells the client to do.</summary>
    public const string RetryAdvice = "Retry it, on another node if you can, with the same touchpoint ids: what was already stored answers duplicate.";

    /// <summary>The <c>Retry-After</c> of every 503, in seconds: what keeps a node from answering (a grain call to a node
    /// gone silent, storage failing over, this node leaving its cluster) is over or handed to another node within
    /// seconds, and a client that honours the header then comes back neither at once nor too late.</summary>
    public const string RetryAfterSeconds = "1";

    /// <summary>Every problem answer is written here, whatever produced it (an endpoint's typed result, the exception
    /// handler); a 503 gets its <c>Retry-After</c>.</summary>
    public static void Configure(ProblemDetailsOptions options) => options.CustomizeProblemDetails = problem =>
    {
        if (problem.ProblemDetails.Status == StatusCodes.Status503ServiceUnavailable)
            problem.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
    };

    public static ProblemHttpResult BadRequest(string detail) => Status(StatusCodes.Status400BadRequest, detail);

    /// <summary>A cursor that does not decode, or decodes to no position of its kind, named by its <paramref name="field"/>.</summary>
    public static ProblemHttpResult BadCursor(string field) => BadRequest($"{field}: is not a cursor this API returned.");

    public static ProblemHttpResult NotFound(string detail) => Status(StatusCodes.Status404NotFound, detail);

    public static ProblemHttpResult Unavailable(string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: title);

    public static ProblemHttpResult Status(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);
}
