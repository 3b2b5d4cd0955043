using Profiles.Silo.Operations;

namespace Profiles.Silo.Http.Segment;

/// <summary>
/// Reads the body of a call that takes a write key (<see cref="AcceptsWriteKey"/>) before authentication looks for
/// the key in it, and answers at once when the body is too large or not JSON. Every other request passes untouched.
/// </summary>
public sealed class SegmentPayloadReader(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<AcceptsWriteKey>() is null)
        {
            await next(context);
            return;
        }
        var (payload, problem) = await SegmentPayload.ReadAsync(context.Request);
        if (problem is not null)
        {
            await problem.ExecuteAsync(context);
            return;
        }
        context.Response.RegisterForDispose(payload!);
        context.Features.Set(payload);
        context.Features.Set<IBodyWriteKeyFeature>(payload);
        await next(context);
    }
}
