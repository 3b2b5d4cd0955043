using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Profiles.Silo.Operations;

/// <summary>
/// The clienteling page (GET /), the statistics dashboard (GET /dashboard) and the API reference page (GET /openapi,
/// mapped with the API description): plain HTML, CSS and JavaScript
/// modules from src/Profiles.Silo/wwwroot, with no build step. The files are embedded in the assembly, so a
/// node serves them whatever its working directory. Each answer carries a strict content security policy:
/// scripts, styles and connections to this node only. Libraries are vendored under wwwroot/vendor, never loaded from
/// elsewhere, so a node without internet access serves whole pages.
/// </summary>
public static class WebPages
{
    public const string DashboardPath = "/dashboard";

    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

    public static readonly IFileProvider Files = new EmbeddedFileProvider(typeof(WebPages).Assembly, "Profiles.Silo.wwwroot");

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void UseProfilesPages(this IApplicationBuilder app)
    {
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = Files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            OnPrepareResponse = file => AddHeaders(file.Context.Response),
        });
    }

    public static void MapProfilesPages(this IEndpointRouteBuilder app) =>
        app.MapGet(DashboardPath, (HttpContext context) => Serve(context, "dashboard.html")).ExcludeFromDescription();

    /// <summary>Answers one embedded page at a route of its own (such as /openapi).</summary>
    public static async Task Serve(HttpContext context, string name)
    {
        var file = Files.GetFileInfo(name);
        if (!file.Exists)
        {
            await Results.Problem(detail: $"The page {name} is not part of this build.", statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
            return;
        }
        AddHeaders(context.Response);
        context.Response.ContentType = ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";
        context.Response.ContentLength = file.Length;
        await using var stream = file.CreateReadStream();
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static void AddHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
    }
}
