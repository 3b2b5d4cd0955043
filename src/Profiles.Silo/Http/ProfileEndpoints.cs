using Microsoft.AspNetCore.Http.HttpResults;
using Profiles.Core.Identifiers;
using Profiles.Core.Profiles;
using Profiles.Grains.Journey;
using Profiles.Grains.Resolution;
using Profiles.Silo.Operations;

namespace Profiles.Silo.Http;

/// <summary>Profiles out (docs/API.md, "Profiles out"): lookup by identifier, by id, the journey, the live stream,
/// and erasure.</summary>
public static class ProfileEndpoints
{
    public const int DefaultJourneyLimit = 50;
    public const int MaxJourneyLimit = 500;

    public static void MapProfileEndpoints(this IEndpointRouteBuilder api)
    {
        var profiles = api.MapGroup("/profiles").WithTags("Profiles");
        profiles.MapGet("/lookup", Lookup)
            .WithSummary("Find the profile holding an identifier: type and value, or type and sha256 of the normalised value.")
            .RequireRole(ApiRoles.Read)
            .WithMetadata(LatencyHistogram.Lookup)
            .AddEndpointFilter<ReadDeadlineFilter>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        profiles.MapGet("/live", LiveProfileStream.Follow)
            .WithSummary("Server-sent events: event 'profile' with the current profile at once ({} while unknown), then after each change; event 'deleted' when erased.")
            .RequireRole(ApiRoles.Read)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        profiles.MapGet("/{profileId}", GetProfile)
            .WithSummary("A profile by id; a merged-away id answers with the surviving profile.")
            .RequireRole(ApiRoles.Read)
            .WithMetadata(LatencyHistogram.Lookup)
            .AddEndpointFilter<ReadDeadlineFilter>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        profiles.MapGet("/{profileId}/journey", GetJourney)
            .WithSummary($"The omnichannel journey, newest first, a page at a time (limit 1-{MaxJourneyLimit}, cursor from nextCursor).")
            .RequireRole(ApiRoles.Read)
            .AddEndpointFilter<ReadDeadlineFilter>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        profiles.MapDelete("/{profileId}", Erase)
            .WithSummary("Erase the profile, its identifier links and its journey everywhere.")
            .RequireRole(ApiRoles.Erase)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Erase(string profileId, ProfileEraser eraser) =>
        ProfileId.IsValid(profileId) && await eraser.EraseAsync(profileId)
            ? TypedResults.NoContent()
            : Problems.NotFound($"No profile has the id {profileId}.");

    private static async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> Lookup(
        string? type, string? value, string? sha256, IdentifierReader identifiers, ProfileReader profiles)
    {
        if (IdentifierQuery.Read(identifiers, type, value, sha256, out var identifier) is { } invalid) return invalid;
        return await profiles.FindByIdentifierAsync(identifier.Key) is { } profile
            ? TypedResults.Ok(ProfileResponse.From(profile))
            : Problems.NotFound($"No profile holds this {type}.");
    }

    private static async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> GetProfile(string profileId, ProfileReader profiles) =>
        ProfileId.IsValid(profileId) && await profiles.FindByIdAsync(profileId) is { } profile
            ? TypedResults.Ok(ProfileResponse.From(profile))
            : Problems.NotFound($"No profile has the id {profileId}.");

    private static async Task<Results<Ok<JourneyResponse>, ProblemHttpResult>> GetJourney(string profileId, string? limit, string? cursor, ProfileReader profiles)
    {
        var pageSize = DefaultJourneyLimit;
        if (limit is not null && (!int.TryParse(limit, out pageSize) || pageSize is < 1 or > MaxJourneyLimit))
        {
            return Problems.BadRequest($"limit: must be an integer from 1 to {MaxJourneyLimit}.");
        }
        JourneyPosition? after = null;
        if (cursor is not null)
        {
            if (!JourneyPosition.TryParseCursor(cursor, out var position)) return Problems.BadRequest("cursor: is not a cursor this API returned.");
            after = position;
        }
        var page = ProfileId.IsValid(profileId) ? await profiles.ReadJourneyAsync(profileId, after, pageSize) : null;
        return page is null ? Problems.NotFound($"No profile has the id {profileId}.") : TypedResults.Ok(JourneyResponse.From(page));
    }
}
