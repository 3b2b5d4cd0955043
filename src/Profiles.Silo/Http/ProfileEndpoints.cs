using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using System.Text.Json.Nodes;
using Profiles.Contracts;
using Profiles.Contracts.Http;
using Profiles.Core.Identifiers;
using Profiles.Core.Profiles;
using Profiles.Core.Resolution;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Journey;
using Profiles.Grains.Resolution;
using Profiles.Silo.Operations;

namespace Profiles.Silo.Http;

/// <summary>Profiles out (docs/API.md, "Profiles out"): lookup by identifier, by id, the journey, the consent history,
/// the live stream, and erasure.</summary>
public static class ProfileEndpoints
{
    public const int DefaultJourneyLimit = 50;
    public const int MaxJourneyLimit = 500;

    public static void MapProfileEndpoints(this IEndpointRouteBuilder api)
    {
        var profiles = api.MapGroup("/profiles").WithTags("Profiles");
        profiles.MapGet("/lookup", Lookup)
            .WithSummary("Find the profile holding an identifier: type and value, or type and sha256 of the normalised value; fields=computed,audiences for the storefront's small read.")
            .RequireRole(ApiRoles.Read)
            .WithMetadata(LatencyHistogram.Lookup)
            .AddEndpointFilter<ReadDeadlineFilter>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        profiles.MapPost("/lookup", LookupByBody)
            .WithSummary("The same lookup with the identifier in the body, { type, value } or { type, sha256 }, and fields as for the GET form: no identifier in the address, so none in access logs on the way.")
            .RequireRole(ApiRoles.Read)
            .WithMetadata(LatencyHistogram.Lookup)
            .AddEndpointFilter<ReadDeadlineFilter>()
            .Accepts<LookupRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        profiles.MapGet("/live", LiveProfileStream.FollowIdentifier)
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
        profiles.MapGet("/{profileId}/consent", GetConsent)
            .WithSummary("Every consent decision kept, newest first: for each purpose, channel, status and document the earliest and the latest, with the touchpoint that carried it. Kept until erasure.")
            .RequireRole(ApiRoles.Read)
            .AddEndpointFilter<ReadDeadlineFilter>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        profiles.MapGet("/{profileId}/journey", GetJourney)
            .WithSummary($"The omnichannel journey, newest first, a page at a time (limit 1-{MaxJourneyLimit}, cursor from nextCursor).")
            .RequireRole(ApiRoles.Read)
            .AddEndpointFilter<ReadDeadlineFilter>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        profiles.MapGet("/{profileId}/live", LiveProfileStream.FollowProfile)
            .WithSummary("Server-sent events of a profile by id, following merges (and on a split the part that keeps the id): event 'profile' at once, then after each change; event 'deleted' when erased, which ends the stream.")
            .RequireRole(ApiRoles.Read)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
        profiles.MapPost("/{profileId}/unlink", Unlink)
            .WithSummary("These are two people: the two identifiers never belong to one profile again while this stands, whatever the order of arrival; the profile splits at once. Answers the resulting profiles.")
            .RequireRole(ApiRoles.Identity)
            .Accepts<JsonElement>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        profiles.MapPost("/{profileId}/relink", Relink)
            .WithSummary("Undoes an unlink of the two identifiers: they join again wherever links join them. Answers the resulting profiles.")
            .RequireRole(ApiRoles.Identity)
            .Accepts<JsonElement>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        profiles.MapDelete("/{profileId}", Erase)
            .WithSummary("Erase the profile, its identifier links and its journey everywhere.")
            .RequireRole(ApiRoles.Erase)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static Task<Results<Ok<Profile[]>, ProblemHttpResult>> Unlink(string profileId, JsonElement body, IdentifierReader identifiers, IdentityCorrections corrections) =>
        CorrectAsync(OperatorEntry.Unlink, profileId, body, identifiers, corrections);

    private static Task<Results<Ok<Profile[]>, ProblemHttpResult>> Relink(string profileId, JsonElement body, IdentifierReader identifiers, IdentityCorrections corrections) =>
        CorrectAsync(OperatorEntry.Relink, profileId, body, identifiers, corrections);

    private static async Task<Results<Ok<Profile[]>, ProblemHttpResult>> CorrectAsync(
        string kind, string profileId, JsonElement body, IdentifierReader identifiers, IdentityCorrections corrections)
    {
        if (IdentifierPair.Read(body, identifiers, out var pair) is { } problem) return Problems.BadRequest(problem);
        if (!ProfileId.IsValid(profileId)) return Problems.NotFound($"No profile has the id {profileId}.");
        return await corrections.CorrectAsync(kind, profileId, pair) switch
        {
            Correction.Done done => TypedResults.Ok(done.Profiles.Select(ProfileView.From).ToArray()),
            Correction.NotHeld notHeld => Problems.BadRequest(kind == OperatorEntry.Unlink
                ? $"identifiers[{notHeld.Index}]: is not an identifier of profile {profileId}."
                : $"identifiers[{notHeld.Index}]: is not an identifier of profile {profileId} or of any profile."),
            _ => Problems.NotFound($"No profile has the id {profileId}."),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Erase(string profileId, ProfileEraser eraser) =>
        ProfileId.IsValid(profileId) && await eraser.EraseAsync(profileId)
            ? TypedResults.NoContent()
            : Problems.NotFound($"No profile has the id {profileId}.");

    /// <summary>The POST form reads the GET form's parameters from its body and answers exactly as it does.</summary>
    private static async Task<Results<Ok<Profile>, Ok<PersonalisedResponse>, Ok<JsonObject>, ProblemHttpResult>> LookupByBody(
        HttpRequest request, IdentifierReader identifiers, ProfileReader profiles)
    {
        var (body, problem) = await LookupBody.ReadAsync(request);
        return body is null ? problem! : await Lookup(body.Type, body.Value, body.Sha256, body.Fields, identifiers, profiles);
    }

    private static async Task<Results<Ok<Profile>, Ok<PersonalisedResponse>, Ok<JsonObject>, ProblemHttpResult>> Lookup(
        string? type, string? value, string? sha256, string? fields, IdentifierReader identifiers, ProfileReader profiles)
    {
        if (IdentifierQuery.Read(identifiers, type, value, sha256, out var identifier) is { } invalid) return invalid;
        if (!ProfileFields.TryParse(fields, out var parts, out var problem)) return Problems.BadRequest(problem!);
        var notFound = Problems.NotFound($"No profile holds this {type}.");
        return parts is { PersonalisedOnly: true }
            ? Answer(await profiles.FindPersonalisedByIdentifierAsync(identifier.Key), parts, notFound)
            : Answer(await profiles.FindByIdentifierAsync(identifier.Key), parts, notFound);
    }

    private static async Task<Results<Ok<Profile>, Ok<PersonalisedResponse>, Ok<JsonObject>, ProblemHttpResult>> GetProfile(
        string profileId, string? fields, ProfileReader profiles)
    {
        if (!ProfileFields.TryParse(fields, out var parts, out var problem)) return Problems.BadRequest(problem!);
        var notFound = Problems.NotFound($"No profile has the id {profileId}.");
        if (!ProfileId.IsValid(profileId)) return notFound;
        return parts is { PersonalisedOnly: true }
            ? Answer(await profiles.FindPersonalisedByIdAsync(profileId), parts, notFound)
            : Answer(await profiles.FindByIdAsync(profileId), parts, notFound);
    }

    private static Results<Ok<Profile>, Ok<PersonalisedResponse>, Ok<JsonObject>, ProblemHttpResult> Answer(
        PersonalisedProfile? profile, ProfileFields parts, ProblemHttpResult notFound) =>
        profile is null ? notFound : TypedResults.Ok(PersonalisedResponse.From(profile, parts));

    /// <summary>The whole profile, or the parts <paramref name="parts"/> lists when it names more than the
    /// personalised ones (a rare read, so it trims the full answer rather than having a read of its own): then it is the
    /// storefront's read, without computed traits and audiences while personalisation is not granted.</summary>
    private static Results<Ok<Profile>, Ok<PersonalisedResponse>, Ok<JsonObject>, ProblemHttpResult> Answer(
        ProfileSnapshot? profile, ProfileFields? parts, ProblemHttpResult notFound)
    {
        if (profile is null) return notFound;
        if (parts is null) return TypedResults.Ok(ProfileView.From(profile));
        var response = ProfileView.ForStorefront(profile);
        var json = JsonSerializer.SerializeToNode(response, JsonSerializerOptions.Web)!.AsObject();
        foreach (var name in json.Select(p => p.Key).Where(name => !parts.Includes(name)).ToList()) json.Remove(name);
        return TypedResults.Ok(json);
    }

    private static async Task<Results<Ok<ConsentHistoryResponse>, ProblemHttpResult>> GetConsent(string profileId, ProfileReader profiles) =>
        ProfileId.IsValid(profileId) && await profiles.FindByIdAsync(profileId) is { } profile
            ? TypedResults.Ok(ConsentHistoryAnswer.From(profile))
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
            if (!JourneyPosition.TryParseCursor(cursor, out var position)) return Problems.BadCursor("cursor");
            after = position;
        }
        var page = ProfileId.IsValid(profileId) ? await profiles.ReadJourneyAsync(profileId, after, pageSize) : null;
        return page is null ? Problems.NotFound($"No profile has the id {profileId}.") : TypedResults.Ok(JourneyAnswer.From(page));
    }
}
