using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Profiles.Contracts;
using Profiles.Grains.Resolution;
using Profiles.Silo.Configuration;
using Profiles.Silo.Operations;

namespace Profiles.Silo.Http;

/// <summary>POST /v1/touchpoints: where a touchpoint enters Profiles (docs/API.md, "Touchpoints in").</summary>
public static class TouchpointEndpoints
{
    public static void MapTouchpointEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/touchpoints", PostTouchpoints)
            .WithTags("Touchpoints")
            .WithSummary($"Send one touchpoint or an array of up to {TouchpointBatch.MaxSize}; one result per touchpoint, in order.")
            .WithDescription("An identifier whose value is invalid for its type or blocked is left out and listed under 'ignored'; " +
                             "a touchpoint left with no usable identifier is rejected.")
            .RequireRole(ApiRoles.Ingest)
            .WithMetadata(LatencyHistogram.Ingest)
            .Accepts<JsonElement>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static async Task<Results<Ok<TouchpointResult[]>, ProblemHttpResult>> PostTouchpoints(
        HttpRequest request, TouchpointIntake intake, IngestGate gate, IOptions<ProfilesOptions> options)
    {
        if (!request.HasJsonContentType())
        {
            return Problems.Status(StatusCodes.Status415UnsupportedMediaType, "The body must be sent as Content-Type: application/json.");
        }
        using var body = await RequestBody.ReadAsync(request, options.Value.MaxRequestBytes);
        if (body is null)
        {
            return Problems.Status(StatusCodes.Status413PayloadTooLarge, $"The body is larger than the limit of {options.Value.MaxRequestBytes} bytes.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Memory);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest($"The body is not valid JSON: {e.Message}");
        }
        using (document)
        {
            if (TouchpointIntake.ReadBatch(document.RootElement, out var items) is { } problem) return Problems.BadRequest(problem);
            return TypedResults.Ok(await gate.RunAsync(() => intake.IngestAsync(items), request.HttpContext.RequestAborted));
        }
    }
}
