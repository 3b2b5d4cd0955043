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
/// A call that takes an analytics library's write key (<see cref="AcceptsWriteKey"/>) also takes it the libraries'
/// ways: <c>Authorization: Basic base64(KEY:)</c>, or the body's <c>writeKey</c> (<see cref="IBodyWriteKeyFeature"/>),
/// and its <c>401</c> says <c>WWW-Authenticate: Basic</c>. The caller's key names its channel in the claim
/// <see cref="ChannelClaim"/>.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ChannelClaim = "profiles:channel";
    private const string HeaderScheme = "Bearer";
    private const string WriteKeyScheme = "Basic";

    private static readonly ApiKey OpenAccess = new("(no key configured)", ApiRoles.All.ToHashSet(StringComparer.Ordinal), ApiKey.DefaultChannel, []);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (keys.IsOpen) return Task.FromResult(Authenticated(OpenAccess));
        if (PresentedKey() is not { } secret) return Task.FromResult(AuthenticateResult.NoResult());
        return Task.FromResult(keys.Find(secret) is { } key
            ? Authenticated(key)
            : AuthenticateResult.Fail(TakesWriteKey
                ? "The write key sent is not a key of this service."
                : "The API key sent in the Authorization header is not a key of this service."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var authentication = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = TakesWriteKey ? WriteKeyScheme : HeaderScheme;
        await Refuse(StatusCodes.Status401Unauthorized, "Unauthorized", authentication.Failure?.Message ?? (TakesWriteKey
            ? "This call needs a write key, sent as the header 'Authorization: Basic base64(KEY:)' or as the body's writeKey."
            : "This call needs an API key, sent as the header 'Authorization: Bearer KEY'."));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var endpoint = Context.GetEndpoint();
        var call = endpoint is RouteEndpoint route ? $"{Request.Method} {route.RoutePattern.RawText}" : "this call";
        var key = Context.User.Identity?.Name;
        return Refuse(StatusCodes.Status403Forbidden, "Forbidden", endpoint?.Metadata.GetMetadata<RequiresRoleAttribute>() is { } required
            ? $"The API key '{key}' does not have the role '{required.Role}'{(required.Role == ApiRoles.Collect ? $" (or '{ApiRoles.Ingest}')" : "")} that {call} needs."
            : $"The API key '{key}' may not make {call}.");
    }

    private AuthenticateResult Authenticated(ApiKey key)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, key.Name), new Claim(ChannelClaim, key.Channel),
            .. ApiRoles.Held(key.Roles).Select(role => new Claim(ClaimTypes.Role, role)),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private bool TakesWriteKey => Context.GetEndpoint()?.Metadata.GetMetadata<AcceptsWriteKey>() is not null;

    /// <summary>A Bearer key; where the call takes a write key, else a Basic one, else the body's.</summary>
    private string? PresentedKey()
    {
        if (Credentials(HeaderScheme) is { } bearer) return bearer;
        if (!TakesWriteKey) return null;
        return WriteKeyOfBasic(Credentials(WriteKeyScheme)) ?? Context.Features.Get<IBodyWriteKeyFeature>()?.WriteKey;
    }

    private string? Credentials(string scheme)
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(scheme + " ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[(scheme.Length + 1)..].Trim();
        return token.Length == 0 ? null : token;
    }

    /// <summary>The user name of Basic credentials, <c>base64(KEY:)</c>: libraries send the write key with no password.
    /// Credentials that are not base64 present the empty key, which no key is.</summary>
    private static string? WriteKeyOfBasic(string? credentials)
    {
        if (credentials is null) return null;
        var bytes = new byte[credentials.Length];
        if (!Convert.TryFromBase64String(credentials, bytes, out var length)) return "";
        var pair = System.Text.Encoding.UTF8.GetString(bytes, 0, length);
        var colon = pair.IndexOf(':');
        return colon < 0 ? pair : pair[..colon];
    }

    private Task Refuse(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(Context);
}
