using Microsoft.AspNetCore.Http.HttpResults;
using Profiles.Grains.Standing;
using Profiles.Silo.Operations;

namespace Profiles.Silo.Http;

/// <summary>GET /v1/stats (docs/API.md, "Statistics"): the reconciliation rate and the figures behind it, over
/// surviving profiles, summed from every shard's counters.</summary>
public static class StatsEndpoints
{
    public static void MapStatsEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/stats", ReadStats)
            .WithTags("Statistics")
            .WithSummary("Profiles, identified, online, offline and omnichannel profiles, the reconciliation and identification rates, touchpoints, per channel.")
            .RequireRole(ApiRoles.Read);
    }

    private static async Task<Ok<StatsResponse>> ReadStats(IStandingStore standings, TimeProvider time) =>
        TypedResults.Ok(StatsResponse.From(await standings.ReadTotalsAsync(), time.GetUtcNow()));
}

/// <param name="ReconciliationRate">Omnichannel over offline profiles: the share of customers seen offline whose
/// online journey is linked; 0 when none was seen offline.</param>
/// <param name="IdentificationRate">Identified over all profiles.</param>
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
    DateTimeOffset AsOf)
{
    public static StatsResponse From(StandingTotals totals, DateTimeOffset asOf) => new(
        totals.Profiles, totals.Identified, totals.Online, totals.Offline, totals.Omnichannel,
        Rate(totals.Omnichannel, totals.Offline), Rate(totals.Identified, totals.Profiles),
        totals.Touchpoints, totals.Channels, asOf);

    private static double Rate(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4, MidpointRounding.AwayFromZero);
}
