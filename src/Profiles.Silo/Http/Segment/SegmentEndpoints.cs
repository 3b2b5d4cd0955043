using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Profiles.Core.Segment;
using Profiles.Silo.Operations;

namespace Profiles.Silo.Http.Segment;

/// <summary>
/// The Segment Spec in (docs/SEGMENT.md): the routes analytics libraries send to, so that pointing a library's host
/// at a node is enough. <c>/v1/batch</c> (and analytics.js's <c>/v1/b</c>) take <c>{ "batch": [event, ...] }</c>; each
/// call has its route and analytics.js's one-letter one, taking one event. They take the write key the libraries' ways
/// (<see cref="AcceptsWriteKey"/>) with the role <c>collect</c> (or <c>ingest</c>), and answer browsers of the key's
/// origins (<see cref="BrowserOrigins"/>).
/// </summary>
public static class SegmentEndpoints
{
    private static readonly (string Call, string Short)[] Calls =
    [
        (SegmentEventTypes.Identify, "i"), (SegmentEventTypes.Track, "t"), (SegmentEventTypes.Page, "p"),
        (SegmentEventTypes.Screen, "s"), (SegmentEventTypes.Alias, "a"), (SegmentEventTypes.Group, "g"),
    ];

    public static void MapSegmentEndpoints(this IEndpointRouteBuilder api)
    {
        foreach (var path in (ReadOnlySpan<string>)["/batch", "/b"])
        {
            Describe(api.MapPost(path, (HttpContext http, SegmentIntake intake, IngestGate gate) => ReceiveAsync(http, null, intake, gate)))
                .WithSummary("Send a batch of Segment Spec events, as analytics libraries do; each event becomes one touchpoint.");
        }
        foreach (var (call, letter) in Calls)
        {
            foreach (var path in (ReadOnlySpan<string>)[$"/{call}", $"/{letter}"])
            {
                Describe(api.MapPost(path, (HttpContext http, SegmentIntake intake, IngestGate gate) => ReceiveAsync(http, call, intake, gate)))
                    .WithSummary($"Send one Segment Spec {call} event, as analytics libraries do; it becomes one touchpoint.");
            }
        }
    }

    private static RouteHandlerBuilder Describe(RouteHandlerBuilder route) => route
        .WithTags("Segment Spec")
        // No Accepts metadata: routing would then refuse the content types libraries really send (gzip as a form, text/plain).
        .WithDescription("The body is JSON whatever the Content-Type says, gzip with Content-Encoding: gzip, at most 500 KiB decompressed. " +
                         "Events that cannot be touchpoints (over 32 KiB, no identifier, an unknown type, breaking a touchpoint rule) are skipped " +
                         "and counted in profiles_segment_events_skipped_total; the others land, and the answer is {\"success\": true} once they are stored.")
        .WithMetadata(AcceptsWriteKey.Instance)
        .RequireRole(ApiRoles.Collect)
        .RequireCors(BrowserOrigins.PolicyName)
        .WithMetadata(LatencyHistogram.Ingest)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    private static async Task<Results<Ok<SegmentAnswer>, ProblemHttpResult>> ReceiveAsync(HttpContext http, string? call, SegmentIntake intake, IngestGate gate)
    {
        var payload = http.Features.GetRequiredFeature<SegmentPayload>();
        if (payload.ReadEvents(isBatch: call is null, out var events) is { } problem) return Problems.BadRequest(problem);
        var channel = http.User.FindFirst(ApiKeyAuthenticationHandler.ChannelClaim)?.Value ?? ApiKey.DefaultChannel;
        return TypedResults.Ok(await gate.RunAsync(async () =>
        {
            await intake.IngestAsync(events, call, channel);
            return SegmentAnswer.Stored;
        }, http.RequestAborted));
    }
}

/// <summary>What Segment's own API answers, and the libraries expect: <c>{"success": true}</c>.</summary>
public sealed record SegmentAnswer(bool Success)
{
    public static readonly SegmentAnswer Stored = new(true);
}
