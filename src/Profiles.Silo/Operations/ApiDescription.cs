using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Profiles.Silo.Operations;

/// <summary>
/// The OpenAPI document at /openapi/v1.json (generated from the endpoints' metadata) and a self-contained
/// page at /openapi that browses it, with no script from anywhere else. Each call's summary comes from its
/// endpoint (<c>WithSummary</c>); the document adds the Bearer API key and the role the endpoint requires
/// (<see cref="RequiresRoleAttribute"/>).
/// </summary>
public static class ApiDescription
{
    public const string PagePath = "/openapi";
    private const string SchemeName = "apiKey";
    private const string WriteKeySchemeName = "writeKey";

    public static void AddProfilesApiDescription(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Profiles";
                document.Info.Description =
                    "Real-time customer identity and profiles: touchpoints in, unified profiles and journeys out. " +
                    "When API keys are configured, every call under /v1 needs 'Authorization: Bearer KEY' with the role shown on the call " +
                    "(ingest, read, erase, identity or admin): 401 without a valid key, 403 without the role. The Segment Spec calls take an analytics " +
                    "library's write key (role collect or ingest) as 'Authorization: Basic base64(KEY:)' or as the body's writeKey.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key of Profiles:ApiKeys, sent as 'Authorization: Bearer KEY'. Not needed when no key is configured.",
                };
                document.Components.SecuritySchemes[WriteKeySchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "basic",
                    Description = "An API key of Profiles:ApiKeys as an analytics library sends its write key: 'Authorization: Basic base64(KEY:)', " +
                                  "or the body's writeKey. Not needed when no key is configured.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (!metadata.OfType<IAuthorizeData>().Any()) return Task.CompletedTask;
                var role = metadata.OfType<RequiresRoleAttribute>().LastOrDefault()?.Role;
                var writeKey = metadata.OfType<AcceptsWriteKey>().Any();
                operation.Description = (operation.Description is null ? "" : operation.Description + "\n\n") + (role, writeKey) switch
                {
                    (null, _) => "Needs a valid API key (when keys are configured).",
                    (_, true) => $"Needs a write key with the role '{role}' or '{ApiRoles.Ingest}' (when keys are configured).",
                    _ => $"Needs an API key with the role '{role}' (when keys are configured).",
                };
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(writeKey ? WriteKeySchemeName : SchemeName, context.Document)] = [] }];
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid API key (application/problem+json)." });
                if (role is not null) operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The API key lacks the role (application/problem+json)." });
                return Task.CompletedTask;
            });
        });

    public static void MapProfilesApiDescription(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapGet(PagePath, (HttpContext context) => WebPages.Serve(context, "openapi.html")).ExcludeFromDescription();
    }
}
