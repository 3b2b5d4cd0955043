using Profiles.Contracts;

namespace Storefront;

/// <summary>The visitor's cookie: the identifier the storefront knows a browser by before any login.</summary>
public static class Visitor
{
    public const string Cookie = "sf_visitor";

    /// <summary>The visitor's id, given a new one on the first visit (a year long, readable by the server only).</summary>
    public static string Of(HttpContext context)
    {
        if (context.Request.Cookies.TryGetValue(Cookie, out var known) && known.StartsWith("sf-", StringComparison.Ordinal)) return known;
        var visitor = $"sf-{Guid.NewGuid():n}";
        context.Response.Cookies.Append(Cookie, visitor, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365) });
        return visitor;
    }

    public static IdentifierInput Identifier(string visitor) => new("cookie", visitor);
}
