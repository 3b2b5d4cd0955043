using System.Text.Json;
using Profiles.Client;
using Profiles.Contracts;

namespace Storefront;

/// <summary>The page's own endpoints: who the visitor is, a sign-in, and the live view of the visitor.</summary>
public static class StorefrontApi
{
    public static void MapStorefrontApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", Me);
        app.MapPost("/api/sign-in", SignIn);
        app.MapGet("/api/live", Live);
    }

    /// <summary>Records the page view and answers what the page shows this visitor.</summary>
    private static async Task<PageView> Me(HttpContext context, IProfilesClient profiles)
    {
        var visitor = Visitor.Of(context);
        await profiles.IngestAsync([new TouchpointInput(null, DateTimeOffset.UtcNow, "web", "page_view", [Visitor.Identifier(visitor)],
            Properties: new Dictionary<string, object?> { ["url"] = "/" })], context.RequestAborted);
        return PageView.For(await profiles.LookupAsync("cookie", visitor, context.RequestAborted));
    }

    private static async Task<IResult> SignIn(HttpContext context, IProfilesClient profiles, SignInForm form)
    {
        var visitor = Visitor.Of(context);
        var traits = new Dictionary<string, object?> { ["firstName"] = form.FirstName };
        if (!string.IsNullOrWhiteSpace(form.FavouriteCategory)) traits["favouriteCategory"] = form.FavouriteCategory;
        var result = (await profiles.IngestAsync([new TouchpointInput(null, DateTimeOffset.UtcNow, "web", "login",
            [Visitor.Identifier(visitor), new IdentifierInput("email", form.Email)], traits)], context.RequestAborted))[0];
        return result.Status == TouchpointResult.Rejected
            ? Results.Problem(detail: result.Error, statusCode: StatusCodes.Status400BadRequest)
            : Results.NoContent();
    }

    /// <summary>Server-sent events: the page view now, then again whenever the visitor's profile changes, wherever the
    /// change came from (this site, the shop's till, the call centre).</summary>
    private static async Task Live(HttpContext context, IProfilesClient profiles)
    {
        var visitor = Visitor.Of(context);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            await foreach (var profile in profiles.WatchAsync("cookie", visitor, context.RequestAborted))
            {
                await context.Response.WriteAsync($"event: view\ndata: {JsonSerializer.Serialize(PageView.For(profile), JsonSerializerOptions.Web)}\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }
}

public sealed record SignInForm(string Email, string FirstName, string? FavouriteCategory);
