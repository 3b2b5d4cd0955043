using System.Net;
using System.Text;

namespace Profiles.Segment.Tests;

/// <summary>
/// A storefront's web server on its own origin (<c>http://localhost:PORT</c>, not the node's <c>127.0.0.1</c>), so
/// that its pages reach the node across origins as a real storefront's do. It serves one product page, and the
/// analytics.js bundles under <c>/analytics/</c> from the npm package. Both sit on the loopback interface, since
/// browsers refuse a public page's requests to it.
/// </summary>
public sealed class StorefrontServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string> _page;
    private readonly Task _serving;

    public StorefrontServer(string origin, Func<string> page)
    {
        _page = page;
        _listener.Prefixes.Add(origin + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    private static string Bundles => Path.Combine(AnalyticsLibraries.Folder, "node_modules", "@segment", "analytics-next", "dist", "umd");

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var response = context.Response;
            var path = context.Request.Url!.AbsolutePath;
            var bundle = Path.Combine(Bundles, Path.GetFileName(path));
            var (body, type) = path.StartsWith("/analytics/", StringComparison.Ordinal) && File.Exists(bundle)
                ? (await File.ReadAllBytesAsync(bundle), "text/javascript")
                : (Encoding.UTF8.GetBytes(_page()), "text/html; charset=utf-8");
            response.ContentType = type;
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
