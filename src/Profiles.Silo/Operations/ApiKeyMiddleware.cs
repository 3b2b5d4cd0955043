using System.Security.Claims;

namespace Profiles.Silo.Operations;

/// <summary>
/// Checks the <c>Authorization: Bearer KEY</c> of every call of the API (paths under <c>/v1</c>) against the
/// configured keys and the role its route needs (contract section 6): <c>401</c> without a valid key, <c>403</c>
/// without the role, both application/problem+json. Health, metrics, the API description and the pages are
/// open. No key configured: everything is open. The table is keyed on method and path, so it covers endpoints
/// whatever file maps them, and any other path under <c>/v1</c> still needs a valid key (fail closed).
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeys keys)
{
    public const string Scheme = "Bearer";

    public Task InvokeAsync(HttpContext context)
    {
        if (keys.IsOpen) return next(context);
        var access = RequiredAccess(context.Request.Method, context.Request.Path);
        if (access is null) return next(context);

        var secret = BearerToken(context.Request);
        if (secret is null)
        {
            return Refuse(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                "This call needs an API key, sent as the header 'Authorization: Bearer KEY'.");
        }
        if (keys.Find(secret) is not { } key)
        {
            return Refuse(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                "The API key sent in the Authorization header is not a key of this service.");
        }
        if (access.Role is { } role && !key.Roles.Contains(role))
        {
            return Refuse(context, StatusCodes.Status403Forbidden, "Forbidden",
                $"The API key '{key.Name}' does not have the role '{role}' that {access.Description} needs.");
        }
        context.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, key.Name), .. key.Roles.Select(r => new Claim(ClaimTypes.Role, r))], Scheme));
        return next(context);
    }

    /// <summary>What a call needs: null when it is open; a role, or only a valid key (Role null).</summary>
    public static Access? RequiredAccess(string method, PathString path)
    {
        var normal = Normalise(path.Value);
        if (normal != "/v1" && !normal.StartsWith("/v1/", StringComparison.Ordinal)) return null;
        if (HttpMethods.IsPost(method) && normal == "/v1/touchpoints") return new Access(ApiRoles.Ingest, "sending touchpoints");
        if (normal.StartsWith("/v1/profiles/", StringComparison.Ordinal))
        {
            if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) return new Access(ApiRoles.Read, "reading profiles");
            if (HttpMethods.IsDelete(method)) return new Access(ApiRoles.Erase, "erasing a profile");
        }
        return new Access(null, "this call");
    }

    /// <summary>Lower case, without repeated or trailing slashes, as routing matches paths.</summary>
    private static string Normalise(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "/";
        var parts = path.ToLowerInvariant().Split('/', StringSplitOptions.RemoveEmptyEntries);
        return "/" + string.Join('/', parts);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(Scheme + " ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[(Scheme.Length + 1)..].Trim();
        return token.Length == 0 ? null : token;
    }

    private static Task Refuse(HttpContext context, int status, string title, string detail)
    {
        if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = Scheme;
        return Results.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);
    }

    public sealed record Access(string? Role, string Description);
}
