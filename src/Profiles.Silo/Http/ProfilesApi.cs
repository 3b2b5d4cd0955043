using Profiles.Silo.Http.Segment;
using Profiles.Silo.Operations;

namespace Profiles.Silo.Http;

/// <summary>
/// The API under <see cref="BasePath"/> (docs/API.md), mapped in one place. Each area maps its calls with their
/// summary, the role they need and the latency histogram they record into, on the endpoint itself, so a route
/// cannot be renamed away from its role or its metric.
/// </summary>
public static class ProfilesApi
{
    public const string BasePath = "/v1";

    public static void MapProfilesApi(this IEndpointRouteBuilder app)
    {
        // Every call needs a valid key (when keys are configured); each endpoint adds the role it needs. A node that
        // is not ready refuses every call (ReadinessFilter).
        var api = app.MapGroup(BasePath).RequireAuthorization().AddEndpointFilter<ReadinessFilter>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapTouchpointEndpoints();
        api.MapSegmentEndpoints();
        api.MapProfileEndpoints();
        api.MapChangeEndpoints();
        api.MapStatsEndpoints();
        api.MapAudienceEndpoints();
    }
}
