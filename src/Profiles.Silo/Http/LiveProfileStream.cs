using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Profiles.Core.Identifiers;
using Profiles.Grains.Observability;
using Profiles.Grains.Resolution;

namespace Profiles.Silo.Http;

/// <summary>
/// GET /v1/profiles/live: a server-sent event stream of one identifier's profile. It sends the current profile
/// at once (<c>{}</c> while the identifier is unknown), then the latest state after each change, following a
/// merge into another profile and an unknown identifier becoming known; <c>event: deleted</c> when the profile
/// is erased. A comment line every <see cref="Heartbeat"/> keeps proxies from closing an idle stream.
/// </summary>
public static class LiveProfileStream
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Follow(
        HttpContext context, string? type, string? value, string? sha256, IdentifierReader identifiers, ProfileReader profiles, IGrainFactory grains)
    {
        if (IdentifierQuery.Read(identifiers, type, value, sha256, out var identifier) is { } invalid) return invalid;

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var aborted = context.RequestAborted;
        ProfilesMetrics.LiveSubscribers.Add(1);
        await using var watch = new LiveWatch(grains, profiles, identifier.Key);
        try
        {
            await StreamAsync(response, watch, profiles, identifier.Key, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        finally
        {
            ProfilesMetrics.LiveSubscribers.Add(-1);
        }
        return TypedResults.Empty;
    }

    private static async Task StreamAsync(HttpResponse response, LiveWatch watch, ProfileReader profiles, string identifierKey, CancellationToken aborted)
    {
        string? sent = null;
        string? shownProfileId = null;
        while (!aborted.IsCancellationRequested)
        {
            var watched = await watch.RefreshAsync();
            var profile = watched.Holds(identifierKey) ? watched : null;
            if (profile is null && shownProfileId is not null && await profiles.FindByIdAsync(shownProfileId) is null)
            {
                await WriteAsync(response, $"event: deleted\ndata: {JsonSerializer.Serialize(new { profileId = shownProfileId })}\n\n", aborted);
                sent = "{}";
            }
            shownProfileId = profile?.ProfileId;
            var json = profile is null ? "{}" : JsonSerializer.Serialize(ProfileView.From(profile), JsonSerializerOptions.Web);
            if (json != sent)
            {
                await WriteAsync(response, $"event: profile\ndata: {json}\n\n", aborted);
                sent = json;
            }
            if (!await watch.WaitForChangeAsync(Heartbeat, aborted)) await WriteAsync(response, ": heartbeat\n\n", aborted);
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken aborted)
    {
        await response.WriteAsync(text, aborted);
        await response.Body.FlushAsync(aborted);
    }
}
