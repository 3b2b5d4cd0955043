using Microsoft.Extensions.FileProviders;
using Profiles.Client;
using Storefront;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
// The cluster as the nodes are configured: Profiles:Redis, or Profiles:Gateways (host:port, comma-separated), and Profiles:ClusterId.
var cluster = builder.Configuration.GetSection("Profiles");
builder.Services.AddProfilesClient(o =>
{
    o.Redis = cluster["Redis"];
    o.Gateways = cluster["Gateways"]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
    o.ClusterId = cluster["ClusterId"] ?? o.ClusterId;
});

var app = builder.Build();
var page = new EmbeddedFileProvider(typeof(Visitor).Assembly, "Storefront.wwwroot");
app.Use(async (context, next) =>
{
    // Everything the page loads comes from this server.
    context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    await next();
});
app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
app.UseStaticFiles(new StaticFileOptions { FileProvider = page });
app.MapStorefrontApi();
app.Run();
