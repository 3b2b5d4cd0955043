using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Profiles.Contracts.Http;

/// <summary>What the node answered one call: the value, or the status and the <see cref="ApiProblem"/> it refused the
/// call with. A 404 (an unknown identifier or profile) is such a refusal, told apart by its <see cref="Status"/>.</summary>
public sealed class ApiResult<T>
{
    private readonly T? _value;

    private ApiResult(string call, HttpStatusCode status, T? value, ApiProblem? problem, TimeSpan? retryAfter)
    {
        Call = call;
        Status = status;
        _value = value;
        Problem = problem;
        RetryAfter = retryAfter;
    }

    public static ApiResult<T> Answered(string call, HttpStatusCode status, T value) => new(call, status, value, null, null);

    public static ApiResult<T> Refused(string call, HttpStatusCode status, ApiProblem problem, TimeSpan? retryAfter) =>
        new(call, status, default, problem, retryAfter);

    /// <summary>The method and path called, without the query (which may name an identifier): <c>GET /v1/profiles/lookup</c>.</summary>
    public string Call { get; }

    public HttpStatusCode Status { get; }

    [MemberNotNullWhen(false, nameof(Problem))]
    public bool Succeeded => Problem is null;

    /// <summary>Why the call was refused; null when it succeeded.</summary>
    public ApiProblem? Problem { get; }

    /// <summary>How long a refusal asked the caller to wait before trying again (<c>Retry-After</c>), when it did.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The answer of a call that succeeded.</summary>
    /// <exception cref="ProfilesApiException">The call was refused; the exception carries the status and the problem.</exception>
    public T Value => Succeeded ? _value! : throw new ProfilesApiException(Call, Status, Problem);
}
