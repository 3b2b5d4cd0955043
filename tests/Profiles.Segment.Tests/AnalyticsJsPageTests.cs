using Microsoft.Playwright;
using Profiles.Testing;

namespace Profiles.Segment.Tests;

/// <summary>
/// analytics.js (<c>@segment/analytics-next</c>) as a storefront loads it: on a page of the storefront's own origin
/// (<see cref="StorefrontServer"/>), in Debian's headless chromium, configured only with the node's address and the
/// web write key, sending from the browser across origins to the node, pre-flights included.
/// </summary>
[Collection(SegmentNodesCollection.Name)]
public sealed class AnalyticsJsPageTests(SegmentNodes nodes) : IAsyncLifetime
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    /// <summary>The system chromium; PROFILES_CHROMIUM names another.</summary>
    private static string ChromiumPath => Environment.GetEnvironmentVariable("PROFILES_CHROMIUM") ?? "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    [Fact]
    public async Task A_storefront_page_with_analytics_js_builds_the_shopper_on_the_node()
    {
        using var storefront = new StorefrontServer(SegmentNodes.StorefrontOrigin, () => Page);
        var context = await _browser.NewContextAsync();
        // The storefront and the node are there; nothing else is (no CDN to fetch settings from).
        await context.RouteAsync("**/*", async route =>
        {
            var origin = new Uri(route.Request.Url).GetLeftPart(UriPartial.Authority);
            if (origin == SegmentNodes.StorefrontOrigin || origin == nodes.Keyed.BaseUrl) await route.ContinueAsync();
            else await route.AbortAsync();
        });
        var page = await context.NewPageAsync();
        // What the page did, for a failure's message.
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Console += (_, message) => seen.Enqueue($"console {message.Type}: {message.Text}");
        page.Response += (_, response) => seen.Enqueue($"{response.Request.Method} {response.Url} {response.Status}");
        page.RequestFailed += (_, request) => seen.Enqueue($"{request.Method} {request.Url} failed: {request.Failure}");
        var email = $"lea.{_run}@example.com";
        await page.GotoAsync($"{SegmentNodes.StorefrontOrigin}/trail-42?user=u-{_run}&email={Uri.EscapeDataString(email)}");

        var anonymousId = await page.EvaluateAsync<string>("window.shopped");

        var (status, _) = await nodes.KeyedReader.GetAsync(Contracts.Http.ApiPaths.Lookup(new("customer_id", $"u-{_run}")));
        Assert.True(status == System.Net.HttpStatusCode.OK, $"The shopper is not on the node ({status}). The page:\n{string.Join('\n', seen)}");
        var profile = await nodes.KeyedReader.LookupAsync("customer_id", $"u-{_run}");
        Assert.Equal(3, (int)profile["channels"]!["web"]!["touchpoints"]!);
        Assert.Equal((string)profile["profileId"]!, (string)(await nodes.KeyedReader.LookupAsync("cookie", anonymousId))["profileId"]!);
        Assert.Equal((string)profile["profileId"]!, (string)(await nodes.KeyedReader.LookupAsync("email", email))["profileId"]!);
        Assert.Equal("Lea", (string)profile["traits"]!["firstName"]!);
        Assert.Equal(1, (int)profile["computed"]!["cart_adds_30d"]!);
        await context.CloseAsync();
    }

    /// <summary>A product page: analytics.js pointed at the node with the web write key, as a storefront configures
    /// it; the page view, a cart add and the sign-in, each awaited until delivered. <c>window.shopped</c> is the
    /// visitor's anonymous id once all are sent.</summary>
    private string Page => $$"""
        <!doctype html>
        <html><head><title>Trail 42</title><script src="/analytics/index.js"></script></head>
        <body><h1>Trail 42</h1>
        <script>
          const query = new URLSearchParams(location.search);
          window.shopped = (async () => {
            const [analytics] = await AnalyticsNext.AnalyticsBrowser.load({
              writeKey: '{{SegmentNodes.WebKey}}',
              cdnSettings: { integrations: { 'Segment.io': { apiKey: '{{SegmentNodes.WebKey}}', apiHost: '{{new Uri(nodes.Keyed.BaseUrl).Authority}}/v1', protocol: 'http' } } },
            });
            await analytics.page('Trail 42', { category: 'shoes' });
            await analytics.track('Product Added', { sku: 'TRAIL-42', category: 'shoes', price: 89.9 });
            await analytics.identify(query.get('user'), { email: query.get('email'), firstName: 'Lea' });
            return analytics.user().anonymousId();
          })();
        </script></body></html>
        """;
}
