using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Profiles.Silo.Http;

namespace Profiles.Silo.Operations;

/// <summary>
/// Who may make which call: the API key scheme (<see cref="ApiKeyAuthenticationHandler"/>), one authorization
/// policy per role, named after it, and a fallback policy that keeps every path under <see cref="ProfilesApi.BasePath"/>
/// closed to callers without a valid key, even a path no endpoint maps. Each call declares its role on its
/// endpoint with <see cref="RequireRole{TBuilder}"/>.
/// </summary>
public static class ApiAuthorization
{
    public static void AddProfilesApiAuthorization(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorization(options =>
        {
            foreach (var role in ApiRoles.All) options.AddPolicy(role, policy => policy.RequireRole(role));
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAssertion(HasAKeyOrIsOutsideTheApi).Build();
        });
    }

    /// <summary>The call needs an API key holding <paramref name="role"/> (one of <see cref="ApiRoles"/>).</summary>
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, string role) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(new RequiresRoleAttribute(role));

    /// <summary>Health, metrics, the API description and the pages are open; the API is not, mapped or not.</summary>
    private static bool HasAKeyOrIsOutsideTheApi(AuthorizationHandlerContext context) =>
        context.User.Identity?.IsAuthenticated == true ||
        context.Resource is HttpContext http && !http.Request.Path.StartsWithSegments(ProfilesApi.BasePath, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Endpoint metadata: the role an API key needs for this call. It is the authorization itself (its policy is the
/// role's), so a role cannot be shown without being enforced; the OpenAPI document and the <c>403</c> answer read
/// the role from it.
/// </summary>
public sealed class RequiresRoleAttribute(string role) : AuthorizeAttribute(role)
{
    public string Role { get; } = role;
}
