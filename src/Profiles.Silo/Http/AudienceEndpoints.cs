using Microsoft.AspNetCore.Http.HttpResults;
using Profiles.Core.Paging;
using Profiles.Core.Personalisation;
using Profiles.Grains.Standing;
using Profiles.Silo.Operations;

namespace Profiles.Silo.Http;

/// <summary>GET /v1/audiences and /v1/audiences/{name}/members (docs/API.md, "Audiences"): who belongs to each
/// audience, cluster-wide, from every shard's audience index.</summary>
public static class AudienceEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static void MapAudienceEndpoints(this IEndpointRouteBuilder api)
    {
        var audiences = api.MapGroup("/audiences").WithTags("Audiences");
        audiences.MapGet("", ListAudiences)
            .WithSummary("Every configured audience: its name, its expression, the purpose and channel it is for (null when none) and how many profiles belong to it.")
            .RequireRole(ApiRoles.Read);
        audiences.MapGet("/{name}/members", ReadMembers)
            .WithSummary($"The profile ids of an audience's members, a page at a time (limit 1-{MaxLimit}, default {DefaultLimit}; cursor from nextCursor).")
            .RequireRole(ApiRoles.Read)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<AudienceResponse[]>> ListAudiences(Personalisation personalisation, IStandingStore standings)
    {
        var audiences = personalisation.Audiences.Definitions;
        var counts = await standings.CountAudiencesAsync([.. audiences.Select(a => a.Name)]);
        return TypedResults.Ok(audiences.Select(a => new AudienceResponse(a.Name, a.Expression, a.Purpose, a.Channel, counts[a.Name])).ToArray());
    }

    private static async Task<Results<Ok<AudienceMembersResponse>, ProblemHttpResult>> ReadMembers(
        string name, string? limit, string? cursor, Personalisation personalisation, IStandingStore standings)
    {
        if (!personalisation.Audiences.Definitions.Any(a => a.Name == name)) return Problems.NotFound($"No audience is named {name}.");
        var pageSize = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out pageSize) || pageSize is < 1 or > MaxLimit))
        {
            return Problems.BadRequest($"limit: must be an integer from 1 to {MaxLimit}.");
        }
        string? after = null;
        if (cursor is not null && !OpaqueCursor.TryDecodeText(cursor, out after)) return Problems.BadCursor("cursor");
        AudiencePage page;
        try
        {
            page = await standings.ReadAudienceAsync(name, after, pageSize);
        }
        catch (FormatException)
        {
            // Base64url after all, but not a position the store wrote.
            return Problems.BadCursor("cursor");
        }
        return TypedResults.Ok(new AudienceMembersResponse(page.Members, page.NextCursor is null ? null : OpaqueCursor.Encode(page.NextCursor)));
    }
}

/// <param name="Purpose">The consent purpose a member must have granted (with <paramref name="Channel"/>, on that channel); null for none.</param>
public sealed record AudienceResponse(string Name, string Expression, string? Purpose, string? Channel, long Members);

public sealed record AudienceMembersResponse(IReadOnlyList<string> Items, string? NextCursor);
