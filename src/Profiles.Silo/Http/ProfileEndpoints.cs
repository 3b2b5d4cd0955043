using System.Text.Json;
using System.Text.Json.Nodes;
using Profiles.Core.Identifiers;
using Profiles.Core.Profiles;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Journey;
using Profiles.Grains.Resolution;

namespace Profiles.Silo.Http;

/// <summary>Profiles out (contract section 3): lookup by identifier, by id, the journey, and erasure.</summary>
public static class ProfileEndpoints
{
    public const int DefaultJourneyLimit = 50;
    public const int MaxJourneyLimit = 500;

    public static void MapProfileEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/profiles/lookup", Lookup)
            .Produces<ProfileResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/v1/profiles/{profileId}", GetProfile)
            .Produces<ProfileResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/v1/profiles/{profileId}/journey", GetJourney)
            .Produces<JourneyResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapDelete("/v1/profiles/{profileId}", Erase)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> Erase(string profileId, ProfileEraser eraser) =>
        ProfileId.IsValid(profileId) && await eraser.EraseAsync(profileId)
            ? Results.NoContent()
            : Problems.NotFound($"No profile has the id {profileId}.");

    private static async Task<IResult> Lookup(
        string? type, string? value, string? sha256, string? fields, IdentifierReader identifiers, ProfileReader profiles)
    {
        if (string.IsNullOrEmpty(type)) return Problems.BadRequest("type: is required.");
        if (!identifiers.TryRead(type, value, sha256, out var identifier, out var error))
        {
            return Problems.BadRequest($"{(value is null ? "sha256" : "value")}: {error}");
        }
        if (!ProfileFields.TryParse(fields, out var parts, out var problem)) return Problems.BadRequest(problem!);
        var notFound = Problems.NotFound($"No profile holds this {type}.");
        return parts is { PersonalisedOnly: true }
            ? Answer(await profiles.FindPersonalisedByIdentifierAsync(identifier.Key), parts, notFound)
            : Answer(await profiles.FindByIdentifierAsync(identifier.Key), parts, notFound);
    }

    private static async Task<IResult> GetProfile(string profileId, string? fields, ProfileReader profiles)
    {
        if (!ProfileFields.TryParse(fields, out var parts, out var problem)) return Problems.BadRequest(problem!);
        var notFound = Problems.NotFound($"No profile has the id {profileId}.");
        if (!ProfileId.IsValid(profileId)) return notFound;
        return parts is { PersonalisedOnly: true }
            ? Answer(await profiles.FindPersonalisedByIdAsync(profileId), parts, notFound)
            : Answer(await profiles.FindByIdAsync(profileId), parts, notFound);
    }

    private static IResult Answer(PersonalisedProfile? profile, ProfileFields parts, IResult notFound) =>
        profile is null ? notFound : Results.Ok(PersonalisedResponse.From(profile, parts));

    /// <summary>The whole profile, or the parts <paramref name="parts"/> lists when it names more than the
    /// personalised ones (a rare read, so it trims the full answer rather than having a read of its own).</summary>
    private static IResult Answer(ProfileSnapshot? profile, ProfileFields? parts, IResult notFound)
    {
        if (profile is null) return notFound;
        var response = ProfileResponse.From(profile);
        if (parts is null) return Results.Ok(response);
        var json = JsonSerializer.SerializeToNode(response, JsonSerializerOptions.Web)!.AsObject();
        foreach (var name in json.Select(p => p.Key).Where(name => !parts.Includes(name)).ToList()) json.Remove(name);
        return Results.Ok(json);
    }

    private static async Task<IResult> GetJourney(string profileId, string? limit, string? cursor, ProfileReader profiles)
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
        return page is null ? Problems.NotFound($"No profile has the id {profileId}.") : Results.Ok(JourneyResponse.From(page));
    }
}
