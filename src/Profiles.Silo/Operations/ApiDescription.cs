using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Profiles.Silo.Operations;

/// <summary>
/// The OpenAPI document at /openapi/v1.json (generated from the endpoints' metadata) and a self-contained
/// page at /openapi that browses it, with no script from anywhere else. The document names the Bearer API key
/// and, for each call of the API, the role it needs.
/// </summary>
public static class ApiDescription
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string PagePath = "/openapi";
    private const string SchemeName = "apiKey";

    /// <summary>Summaries of the contract's calls, keyed by method and route template.</summary>
    private static readonly Dictionary<string, string> Summaries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["POST v1/touchpoints"] = "Send one touchpoint or an array of up to 1000; one result per touchpoint, in order. " +
            "An identifier whose value is invalid for its type or blocked is left out and listed under 'ignored'; " +
            "a touchpoint left with no usable identifier is rejected.",
        ["GET v1/profiles/lookup"] = "Find the profile holding an identifier: type and value, or type and sha256 of the normalised value.",
        ["GET v1/profiles/{profileId}"] = "A profile by id; a merged-away id answers with the surviving profile.",
        ["GET v1/profiles/{profileId}/journey"] = "The omnichannel journey, newest first, a page at a time (limit 1-500, cursor from nextCursor).",
        ["GET v1/profiles/live"] = "Server-sent events: event 'profile' with the current profile at once ({} while unknown), then after each change; event 'deleted' when erased.",
        ["DELETE v1/profiles/{profileId}"] = "Erase the profile, its identifier links and its journey everywhere.",
    };

    public static void AddProfilesApiDescription(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Profiles";
                document.Info.Description =
                    "Real-time customer identity and profiles: touchpoints in, unified profiles and journeys out. " +
                    "When API keys are configured, every call under /v1 needs 'Authorization: Bearer KEY' with the role shown on the call " +
                    "(ingest, read or erase): 401 without a valid key, 403 without the role.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key of Profiles:ApiKeys, sent as 'Authorization: Bearer KEY'. Not needed when no key is configured.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var method = context.Description.HttpMethod ?? "GET";
                var route = context.Description.RelativePath ?? "";
                if (Summaries.TryGetValue($"{method} {route}", out var summary)) operation.Summary ??= summary;
                var access = ApiKeyMiddleware.RequiredAccess(method, "/" + route);
                if (access is null) return Task.CompletedTask;
                operation.Description = (operation.Description is null ? "" : operation.Description + "\n\n") +
                    (access.Role is null ? "Needs a valid API key (when keys are configured)." : $"Needs an API key with the role '{access.Role}' (when keys are configured).");
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] }];
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid API key (application/problem+json)." });
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The API key lacks the role (application/problem+json)." });
                return Task.CompletedTask;
            });
        });

    public static void MapProfilesApiDescription(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapGet(PagePath, (HttpContext context) => WebPages.Serve(context, "openapi.html")).ExcludeFromDescription();
    }
}
