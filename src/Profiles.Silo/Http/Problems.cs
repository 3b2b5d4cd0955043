using Microsoft.AspNetCore.Http.HttpResults;

namespace Profiles.Silo.Http;

/// <summary>Every 4xx/5xx answer is application/problem+json with a human-readable detail.</summary>
public static class Problems
{
    public static ProblemHttpResult BadRequest(string detail) => Status(StatusCodes.Status400BadRequest, detail);

    public static ProblemHttpResult NotFound(string detail) => Status(StatusCodes.Status404NotFound, detail);

    public static ProblemHttpResult Status(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);
}
