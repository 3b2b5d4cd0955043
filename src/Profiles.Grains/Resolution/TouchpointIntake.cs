using System.Text.Json;
using Profiles.Contracts;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Observability;

namespace Profiles.Grains.Resolution;

/// <summary>
/// Where a batch of touchpoints sent as JSON enters, from <c>POST /v1/touchpoints</c> and from the .NET client alike:
/// each item is validated by <see cref="TouchpointParser"/>, the valid ones are ingested together, and every item gets
/// its result in order. A rejected item never blocks the others.
/// </summary>
public sealed class TouchpointIntake(TouchpointParser parser, TouchpointIngestor ingestor)
{
    /// <summary>The touchpoints of a request body: one object or an array of up to <see cref="TouchpointBatch.MaxSize"/>.</summary>
    /// <returns>Null, or why the body as a whole is refused (the HTTP API's 400 detail).</returns>
    public static string? ReadBatch(JsonElement body, out JsonElement[] items)
    {
        items = [];
        switch (body.ValueKind)
        {
            case JsonValueKind.Object:
                items = [body];
                return null;
            case JsonValueKind.Array when body.GetArrayLength() > TouchpointBatch.MaxSize:
                return $"A request carries at most {TouchpointBatch.MaxSize} touchpoints; this one has {body.GetArrayLength()}.";
            case JsonValueKind.Array:
                items = [.. body.EnumerateArray()];
                return null;
            default:
                return "The body must be one touchpoint object or an array of them.";
        }
    }

    public async Task<TouchpointResult[]> IngestAsync(JsonElement[] items)
    {
        var results = new TouchpointResult[items.Length];
        var valid = new List<Touchpoint>(items.Length);
        var validIndex = new List<int>(items.Length);
        var ignored = new List<IReadOnlyList<Core.Touchpoints.IgnoredIdentifier>>(items.Length);
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
                results[i] = new TouchpointResult(parsed.Id, TouchpointResult.Rejected, null, parsed.Error);
            }
        }
        if (valid.Count > 0)
        {
            var outcomes = await ingestor.IngestAsync(valid);
            for (var k = 0; k < valid.Count; k++) results[validIndex[k]] = Landed(valid[k].Id, outcomes[k], ignored[k]);
        }
        foreach (var result in results) ProfilesMetrics.CountTouchpoint(result.Status);
        return results;
    }

    private static TouchpointResult Landed(string id, IngestOutcome outcome, IReadOnlyList<Core.Touchpoints.IgnoredIdentifier> ignored) =>
        new(id, outcome.IsNew ? TouchpointResult.Accepted : TouchpointResult.Duplicate, outcome.ProfileId, null)
        {
            Ignored = ignored.Count == 0 ? null : [.. ignored.Select(i => new Contracts.IgnoredIdentifier(i.Field, i.Reason, i.Detail))],
            RefusedLinks = outcome.Refused.Length == 0 ? null : [.. outcome.Refused.Select(r => new RefusedLinkResult(r.Type, r.Hint, r.Reason))],
        };
}
