using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Observability;
using Profiles.Grains.Resolution;
using Profiles.Silo.Configuration;
using Profiles.Silo.Operations;

namespace Profiles.Silo.Http;

/// <summary>POST /v1/touchpoints: where a touchpoint enters Profiles (docs/API.md, "Touchpoints in").</summary>
public static class TouchpointEndpoints
{
    public const int MaxBatch = 1000;

    public static void MapTouchpointEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/touchpoints", PostTouchpoints)
            .WithTags("Touchpoints")
            .WithSummary($"Send one touchpoint or an array of up to {MaxBatch}; one result per touchpoint, in order.")
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
        HttpRequest request, TouchpointParser parser, TouchpointIngestor ingestor, IngestGate gate, IOptions<ProfilesOptions> options)
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
            var root = document.RootElement;
            JsonElement[] items;
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    items = [root];
                    break;
                case JsonValueKind.Array when root.GetArrayLength() > MaxBatch:
                    return Problems.BadRequest($"A request carries at most {MaxBatch} touchpoints; this one has {root.GetArrayLength()}.");
                case JsonValueKind.Array:
                    items = [.. root.EnumerateArray()];
                    break;
                default:
                    return Problems.BadRequest("The body must be one touchpoint object or an array of them.");
            }
            return TypedResults.Ok(await gate.RunAsync(() => IngestAsync(items, parser, ingestor), request.HttpContext.RequestAborted));
        }
    }

    private static async Task<TouchpointResult[]> IngestAsync(JsonElement[] items, TouchpointParser parser, TouchpointIngestor ingestor)
    {
        var results = new TouchpointResult[items.Length];
        var valid = new List<Touchpoint>(items.Length);
        var validIndex = new List<int>(items.Length);
        var ignored = new List<IReadOnlyList<IgnoredIdentifier>>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            var parsed = parser.Parse(items[i]);
            if (parsed.Touchpoint is { } touchpoint)
            {
                valid.Add(touchpoint);
                validIndex.Add(i);
                ignored.Add(parsed.Ignored);
            }
            else
            {
                results[i] = TouchpointResult.Rejected(parsed.Id, parsed.Error!);
            }
        }
        if (valid.Count > 0)
        {
            var outcomes = await ingestor.IngestAsync(valid);
            for (var k = 0; k < valid.Count; k++) results[validIndex[k]] = TouchpointResult.Landed(valid[k].Id, outcomes[k], ignored[k]);
        }
        foreach (var result in results) ProfilesMetrics.CountTouchpoint(result.Status);
        return results;
    }
}
