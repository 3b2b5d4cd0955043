using Profiles.Silo.Operations;

namespace Profiles.Silo.Http;

/// <summary>
/// Refuses every API call with a 503 at once while this node is not ready (<see cref="NodeReadiness"/>): a node
/// cut off from Redis or out of the cluster would otherwise answer from memory what it can no longer stand
/// behind, or hold the client until a timeout. The client retries on another node.
/// </summary>
public sealed class ReadinessFilter(NodeReadiness readiness) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        readiness.Problem() is { } problem
            ? ValueTask.FromResult<object?>(Problems.Unavailable("Not ready", $"This node cannot serve right now: {problem}. {Problems.RetryAdvice}"))
            : next(context);
}
