using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Profiles.Contracts.Live;
using Profiles.Core.Identifiers;
using Profiles.Core.Profiles;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Observability;
using Profiles.Grains.Resolution;

namespace Profiles.Silo.Http;

/// <summary>
/// The live streams, server-sent events of one customer's profile: by identifier (<c>GET /v1/profiles/live</c>) or by
/// profile id (<c>GET /v1/profiles/{profileId}/live</c>). Each sends the current profile at once, then the latest state
/// after each change, following merges; <c>event: deleted</c> when the profile is erased. An identifier's stream sends
/// <c>{}</c> while the identifier is unknown and stays open after an erasure, since the identifier may come back; a
/// profile id's stream ends there, since an erased id never does. A comment line every <see cref="Heartbeat"/> keeps
/// proxies from closing an idle stream.
/// </summary>
public static class LiveProfileStream
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> FollowIdentifier(
        HttpContext context, string? type, string? value, string? sha256, IdentifierReader identifiers, ProfileReader profiles, IGrainFactory grains)
    {
        if (IdentifierQuery.Read(identifiers, type, value, sha256, out var identifier) is { } invalid) return invalid;
        var key = identifier.Key;
        await using var watch = new LiveWatch(grains, LiveTarget.Identifier(key), () => profiles.FollowIdentifierAsync(key));
        await StreamAsync(context, watch, profiles, read => read.Holds(key) ? read : null, endsWhenErased: false);
        return TypedResults.Empty;
    }

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> FollowProfile(
        HttpContext context, string profileId, ProfileReader profiles, IGrainFactory grains)
    {
        var notFound = Problems.NotFound($"No profile has the id {profileId}.");
        if (!ProfileId.IsValid(profileId)) return notFound;
        await using var watch = new LiveWatch(grains, LiveTarget.Profile(profileId), () => profiles.FindByIdAsync(profileId));
        // Read once watching, so that an erasure between this answer and the stream's first event is signalled.
        if (await watch.RefreshAsync() is null) return notFound;
        await StreamAsync(context, watch, profiles, read => read, endsWhenErased: true);
        return TypedResults.Empty;
    }

    /// <param name="shown">The profile to show of what the watch read; null shows <c>{}</c>.</param>
    /// <param name="endsWhenErased">Whether the stream ends after <c>event: deleted</c>.</param>
    private static async Task StreamAsync(HttpContext context, LiveWatch watch, ProfileReader profiles,
        Func<ProfileSnapshot?, ProfileSnapshot?> shown, bool endsWhenErased)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var aborted = context.RequestAborted;
        ProfilesMetrics.LiveSubscribers.Add(1);
        try
        {
            string? sent = null;
            string? shownProfileId = null;
            while (!aborted.IsCancellationRequested)
            {
                var profile = shown(await watch.RefreshAsync());
                if (profile is null && shownProfileId is not null && await profiles.FindByIdAsync(shownProfileId) is null)
                {
                    await WriteAsync(response, $"event: deleted\ndata: {JsonSerializer.Serialize(new { profileId = shownProfileId })}\n\n", aborted);
                    if (endsWhenErased) return;
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
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        finally
        {
            ProfilesMetrics.LiveSubscribers.Add(-1);
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken aborted)
    {
        await response.WriteAsync(text, aborted);
        await response.Body.FlushAsync(aborted);
    }
}
