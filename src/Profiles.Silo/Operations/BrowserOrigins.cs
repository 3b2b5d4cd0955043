namespace Profiles.Silo.Operations;

/// <summary>
/// CORS for the calls browsers make with a write key (analytics.js on a storefront's pages): pre-flights and answers
/// are allowed for the origins of <c>Profiles:ApiKeys:NAME:Origins</c>, any key's, since a pre-flight carries no key.
/// A node without keys is open to any origin, as it is to any caller. Browsers send no cookies to these calls.
/// </summary>
public static class BrowserOrigins
{
    public const string PolicyName = "write-key-origins";

    public static void AddBrowserOrigins(this IServiceCollection services, ApiKeys keys)
    {
        var origins = keys.Keys.SelectMany(k => k.Origins).ToHashSet(StringComparer.OrdinalIgnoreCase);
        services.AddCors(options => options.AddPolicy(PolicyName, policy =>
        {
            if (keys.IsOpen) policy.AllowAnyOrigin();
            else policy.SetIsOriginAllowed(origins.Contains);
            // A day: a storefront's pages send on every view, and each pre-flight is a round trip before the event.
            policy.WithMethods(HttpMethods.Post).AllowAnyHeader().SetPreflightMaxAge(TimeSpan.FromDays(1));
        }));
    }
}
