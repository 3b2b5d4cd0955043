using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Profiles.Contracts.Http;
using Profiles.Grains.Changes;
using Profiles.Silo.Operations;

namespace Profiles.Silo.Http;

/// <summary>
/// GET /v1/changes (docs/API.md, "Change feed"): the durable feed of changes, a page at a time, or as a
/// server-sent event stream that an EventSource resumes with Last-Event-ID.
/// </summary>
public static class ChangeEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>How often a stream that caught up looks for new changes.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static void MapChangeEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/changes", ReadChanges)
            .WithTags("Changes")
            .WithSummary($"Changes after a cursor, oldest first (limit 1-{MaxLimit}, default {DefaultLimit}); with Accept: text/event-stream, a stream of 'change' events whose ids are cursors.")
            .RequireRole(ApiRoles.Read)
            .Produces<ChangesResponse>()
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<Results<Ok<ChangesResponse>, EmptyHttpResult, ProblemHttpResult>> ReadChanges(
        HttpContext context, string? after, string? limit, IChangeFeed feed)
    {
        var pageSize = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out pageSize) || pageSize is < 1 or > MaxLimit))
        {
            return Problems.BadRequest($"limit: must be an integer from 1 to {MaxLimit}.");
        }
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        var (field, text) = lastEventId.Length > 0 ? ("Last-Event-ID", lastEventId) : ("after", after);
        var cursor = FeedCursor.Start;
        if (text is not null && !FeedCursor.TryParse(text, out cursor)) return Problems.BadCursor(field);

        if (!context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            var page = await feed.ReadAsync(cursor, pageSize);
            return TypedResults.Ok(new ChangesResponse([.. page.Items.Select(ChangeAnswer.From)], page.NextCursor));
        }
        await StreamAsync(context, feed, cursor, pageSize);
        return TypedResults.Empty;
    }

    private static async Task StreamAsync(HttpContext context, IChangeFeed feed, FeedCursor cursor, int pageSize)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var aborted = context.RequestAborted;
        var quietSince = DateTime.UtcNow;
        try
        {
            await response.Body.FlushAsync(aborted);
            while (!aborted.IsCancellationRequested)
            {
                var page = await feed.ReadAsync(cursor, pageSize);
                foreach (var item in page.Items)
                {
                    await response.WriteAsync($"id: {item.Cursor}\nevent: change\ndata: {JsonSerializer.Serialize(ChangeAnswer.From(item), JsonSerializerOptions.Web)}\n\n", aborted);
                }
                FeedCursor.TryParse(page.NextCursor, out cursor);
                if (page.Items.Count > 0)
                {
                    await response.Body.FlushAsync(aborted);
                    quietSince = DateTime.UtcNow;
                    continue;
                }
                if (DateTime.UtcNow - quietSince > LiveProfileStream.Heartbeat)
                {
                    await response.WriteAsync(": heartbeat\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                    quietSince = DateTime.UtcNow;
                }
                await Task.Delay(PollInterval, aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
    }
}

/// <summary>A change as clients read it (<see cref="FeedChange"/>, shared with the clients): cursor, type, profileId,
/// at, then the fields of its type.</summary>
public static class ChangeAnswer
{
    public static FeedChange From(FeedItem item)
    {
        var change = item.Change;
        return new FeedChange(item.Cursor, change.Type, change.ProfileId, change.At)
        {
            // The feed stores every field as text, empty for null; the profile ids of a split or an erasure are a list.
            Details = change.Details.ToDictionary(
                d => d.Key,
                d => ProfileChange.ListDetails.Contains(d.Key)
                    ? JsonSerializer.SerializeToElement(d.Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
                    : d.Value.Length == 0 ? JsonSerializer.SerializeToElement<string?>(null)
                    : JsonSerializer.SerializeToElement(d.Value),
                StringComparer.Ordinal),
        };
    }
}
