using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Profiles.Silo.Operations;

/// <summary>
/// Authenticates a caller by the key of its <c>Authorization: Bearer KEY</c> header (<see cref="ApiKeys"/>), and
/// answers refusals as problem+json: <c>401</c> with <c>WWW-Authenticate: Bearer</c> without a valid key, <c>403</c>
/// naming the role the call needs (<see cref="RequiresRoleAttribute"/>) when the key lacks it. With no key
/// configured every caller holds every role: that is what an open API means, and the start-up log warns of it.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string HeaderScheme = "Bearer";

    private static readonly ApiKey OpenAccess = new("(no key configured)", ApiRoles.All.ToHashSet(StringComparer.Ordinal));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (keys.IsOpen) return Task.FromResult(Authenticated(OpenAccess));
        if (BearerToken() is not { } secret) return Task.FromResult(AuthenticateResult.NoResult());
        return Task.FromResult(keys.Find(secret) is { } key
            ? Authenticated(key)
            : AuthenticateResult.Fail("The API key sent in the Authorization header is not a key of this service."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var authentication = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = HeaderScheme;
        await Refuse(StatusCodes.Status401Unauthorized, "Unauthorized",
            authentication.Failure?.Message ?? "This call needs an API key, sent as the header 'Authorization: Bearer KEY'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var endpoint = Context.GetEndpoint();
        var call = endpoint is RouteEndpoint route ? $"{Request.Method} {route.RoutePattern.RawText}" : "this call";
        var key = Context.User.Identity?.Name;
        return Refuse(StatusCodes.Status403Forbidden, "Forbidden", endpoint?.Metadata.GetMetadata<RequiresRoleAttribute>() is { } required
            ? $"The API key '{key}' does not have the role '{required.Role}' that {call} needs."
            : $"The API key '{key}' may not make {call}.");
    }

    private AuthenticateResult Authenticated(ApiKey key)
    {
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, key.Name), .. key.Roles.Select(role => new Claim(ClaimTypes.Role, role))], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private string? BearerToken()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(HeaderScheme + " ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[(HeaderScheme.Length + 1)..].Trim();
        return token.Length == 0 ? null : token;
    }

    private Task Refuse(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(Context);
}
