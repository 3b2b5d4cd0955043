using Profiles.Silo.Http.Segment;

namespace Profiles.Silo.Operations;

/// <summary>
/// Operating a node (docs/API.md) in two calls from Program.cs: API keys, metrics, the API description and the
/// pages. <c>UseProfilesOperations</c> goes after the exception handler, so refusals and failures are problem+json.
/// </summary>
public static class OperationsSetup
{
    public static void AddProfilesOperations(this WebApplicationBuilder builder)
    {
        var keys = ApiKeys.From(builder.Configuration);
        builder.Services.AddSingleton(keys);
        builder.Services.AddBrowserOrigins(keys);
        builder.Services.AddProfilesApiAuthorization();
        builder.Services.AddProfilesMetrics();
        builder.Services.AddProfilesApiDescription();
    }

    public static void UseProfilesOperations(this WebApplication app)
    {
        LogApiKeys(app.Logger, app.Services.GetRequiredService<ApiKeys>());
        // Pre-flights are answered before any key is asked for; a write key may be in the body, read before authentication.
        app.UseCors();
        app.UseMiddleware<SegmentPayloadReader>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<RequestLatency>();
        app.UseProfilesPages();
        app.MapProfilesPages();
        app.MapProfilesMetrics();
        app.MapProfilesApiDescription();
    }

    /// <summary>Names and roles only: a key's secret never reaches a log.</summary>
    private static void LogApiKeys(ILogger logger, ApiKeys keys)
    {
        if (keys.IsOpen)
        {
            logger.LogWarning("No API keys configured ({Section}): the API is open to anyone who can reach this node. " +
                              "Configure Profiles:ApiKeys:NAME:Key and Profiles:ApiKeys:NAME:Roles before going to production.", ApiKeys.Section);
            return;
        }
        logger.LogInformation("API keys required on /v1: {Keys}",
            string.Join("; ", keys.Keys.Select(k => $"{k.Name} ({string.Join(",", k.Roles.Order(StringComparer.Ordinal))})")));
    }
}
