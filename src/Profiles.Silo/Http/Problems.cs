namespace Profiles.Silo.Http;

/// <summary>Every 4xx/5xx answer is application/problem+json with a human-readable detail.</summary>
public static class Problems
{
    public static IResult BadRequest(string detail) => Status(StatusCodes.Status400BadRequest, detail);

    public static IResult NotFound(string detail) => Status(StatusCodes.Status404NotFound, detail);

    public static IResult Status(int status, string detail) => Results.Problem(detail: detail, statusCode: status);
}
