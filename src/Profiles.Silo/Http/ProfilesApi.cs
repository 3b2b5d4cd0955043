namespace Profiles.Silo.Http;

/// <summary>
/// The API under <see cref="BasePath"/>, mapped in one place. Each area maps its calls with their summary and the
/// latency histogram they record into on the endpoint itself, so a route cannot be renamed away from its metric.
/// </summary>
public static class ProfilesApi
{
    public const string BasePath = "/v1";

    public static void MapProfilesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(BasePath);
        api.MapTouchpointEndpoints();
        api.MapProfileEndpoints();
    }
}
