using Microsoft.AspNetCore.Http.HttpResults;
using Profiles.Core.Consent;
using Profiles.Grains.Standing;
using Profiles.Silo.Operations;

namespace Profiles.Silo.Http;

/// <summary>GET /v1/stats, its history and the recount (docs/API.md, "Statistics"): the reconciliation rate and
/// the figures behind it, over surviving profiles, summed from every shard's counters.</summary>
public static class StatsEndpoints
{
    public static void MapStatsEndpoints(this IEndpointRouteBuilder api)
    {
        // Not a group "/stats": its root would be the route "/v1/stats/", not the "/v1/stats" clients call.
        var stats = api.MapGroup("").WithTags("Statistics");
        stats.MapGet("/stats", ReadStats)
            .WithSummary("Profiles, identified, online, offline and omnichannel profiles, the reconciliation and identification rates, touchpoints, per channel, and per consent purpose the profiles that granted it.")
            .RequireRole(ApiRoles.Read);
        stats.MapGet("/stats/history", ReadHistory)
            .WithSummary("The same figures over time, sampled every minute and kept 30 days: from and to (ISO-8601, default the last 24 hours), step minute (every sample) or hour (the last sample of each hour).")
            .RequireRole(ApiRoles.Read)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        stats.MapPost("/stats/recount", Recount)
            .WithSummary("Adds up every shard's stored standings again, replaces the counters that disagree, and answers which did and the figures after.")
            .RequireRole(ApiRoles.Admin);
    }

    private static async Task<Ok<StatsResponse>> ReadStats(IStandingStore standings, ConsentPurposes purposes, TimeProvider time) =>
        TypedResults.Ok(StatsResponse.From(await standings.ReadTotalsAsync(), purposes, time.GetUtcNow()));

    private static async Task<Results<Ok<StatsHistoryResponse>, ProblemHttpResult>> ReadHistory(
        string? from, string? to, string? step, IStatsHistory history, ConsentPurposes purposes, TimeProvider time)
    {
        if (!HistoryQuery.TryRead(from, to, step, time.GetUtcNow(), out var query, out var problem)) return Problems.BadRequest(problem);
        var samples = await history.ReadAsync(query.From, query.To);
        return TypedResults.Ok(new StatsHistoryResponse(query.Step.Name, query.From, query.To,
            [.. query.Step.Pick(samples).Select(s => StatsResponse.From(s.Totals, purposes, s.At))]));
    }

    private static async Task<Ok<RecountResponse>> Recount(IStandingStore standings, ConsentPurposes purposes, TimeProvider time)
    {
        var recount = await standings.RecountAsync();
        return TypedResults.Ok(new RecountResponse(recount.Standings,
            [.. recount.Corrections.Select(c => new RecountCorrection(c.Figure, c.Shard, c.Was, c.Now))],
            StatsResponse.From(await standings.ReadTotalsAsync(), purposes, time.GetUtcNow())));
    }
}

/// <param name="ReconciliationRate">Omnichannel over offline profiles: the share of customers seen offline whose
/// online journey is linked; 0 when none was seen offline.</param>
/// <param name="IdentificationRate">Identified over all profiles.</param>
/// <param name="Consent">Per configured purpose, the surviving profiles whose purpose-wide status is granted.</param>
/// <param name="AsOf">When the figures were read; in the history, the time of the sample.</param>
public sealed record StatsResponse(
    long Profiles,
    long Identified,
    long Online,
    long Offline,
    long Omnichannel,
    double ReconciliationRate,
    double IdentificationRate,
    long Touchpoints,
    IReadOnlyDictionary<string, ChannelTotals> Channels,
    IReadOnlyDictionary<string, PurposeTotals> Consent,
    DateTimeOffset AsOf)
{
    /// <param name="purposes">The configured purposes: profiles without a decision count by each one's default now.</param>
    public static StatsResponse From(StandingTotals totals, ConsentPurposes purposes, DateTimeOffset asOf) => new(
        totals.Profiles, totals.Identified, totals.Online, totals.Offline, totals.Omnichannel,
        Rate(totals.Omnichannel, totals.Offline), Rate(totals.Identified, totals.Profiles),
        totals.Touchpoints, totals.Channels,
        purposes.Names.ToDictionary(
            purpose => purpose,
            purpose => new PurposeTotals((totals.Consent.GetValueOrDefault(purpose) ?? new ConsentTotals(0, 0)).GrantedOf(totals.Profiles, purposes.GrantedByDefault(purpose))),
            StringComparer.Ordinal),
        asOf);

    private static double Rate(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4, MidpointRounding.AwayFromZero);
}

/// <param name="Granted">Surviving profiles whose purpose-wide status is granted.</param>
public sealed record PurposeTotals(long Granted);

/// <param name="Points">Oldest first; each is what GET /v1/stats answered at its <c>asOf</c>.</param>
public sealed record StatsHistoryResponse(string Step, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<StatsResponse> Points);

/// <param name="Standings">The stored standings added up: the surviving profiles.</param>
/// <param name="Corrections">Each shard's counter that disagreed with its standings; empty when all agreed.</param>
/// <param name="Stats">GET /v1/stats after the recount.</param>
public sealed record RecountResponse(long Standings, IReadOnlyList<RecountCorrection> Corrections, StatsResponse Stats);

/// <param name="Figure">The figure of GET /v1/stats the counter is part of (<c>touchpoints</c>, <c>channels.web.profiles</c>).</param>
/// <param name="Was">What the shard's counter held.</param>
/// <param name="Now">What the shard's standings add up to, and the counter holds now.</param>
public sealed record RecountCorrection(string Figure, int Shard, long Was, long Now);
