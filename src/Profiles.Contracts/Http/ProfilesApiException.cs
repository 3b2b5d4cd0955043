using System.Net;

namespace Profiles.Contracts.Http;

/// <summary>A call the node refused, read as a value by a caller that expected it to succeed
/// (<see cref="ApiResult{T}.Value"/>).</summary>
public sealed class ProfilesApiException(string call, HttpStatusCode status, ApiProblem problem)
    : Exception($"{call} answered {(int)status} {status}: {problem.Detail ?? problem.Title}")
{
    public string Call { get; } = call;

    public HttpStatusCode Status { get; } = status;

    public ApiProblem Problem { get; } = problem;
}
