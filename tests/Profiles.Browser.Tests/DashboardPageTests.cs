using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Profiles.Testing;

namespace Profiles.Browser.Tests;

/// <summary>The statistics dashboard (/dashboard) as a retailer watches it, in a real browser against a real node.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardPageTests(BrowserFixture browser)
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task The_rates_curves_channels_and_overlap_show_the_customers_and_follow_a_new_login()
    {
        // A node of its own, so the figures are exactly these customers, sampling every second, so the curves
        // have a history within the test's few seconds.
        await using var node = await NodeProcess.StartAsync(null, $"dashboard-{_run}", "--Profiles:Stats:SampleInterval=00:00:01");
        await IngestAsync(node.Api,
            // Anna browses with a cookie, logs in with her e-mail and buys in a shop: linked online and offline.
            Touch("anna-web", "web", "page_view", ("cookie", $"ck-anna-{_run}")),
            Touch("anna-login", "web", "login", ("cookie", $"ck-anna-{_run}"), ("email", $"anna.{_run}@example.com")),
            Touch("anna-pos", "store", "purchase", ("email", $"anna.{_run}@example.com"), ("loyalty_id", $"FR-A-{_run}")),
            // Bruno buys in a shop with his loyalty card, Chloé calls the call centre: offline only.
            Touch("bruno-pos", "store", "purchase", ("loyalty_id", $"FR-B-{_run}")),
            Touch("chloe-call", "call_center", "call", ("phone", "+33612000001")),
            // Dan browses anonymously, Eva uses the app logged in: online only.
            Touch("dan-web", "web", "page_view", ("cookie", $"ck-dan-{_run}")),
            Touch("eva-app", "app", "login", ("device_id", $"dev-eva-{_run}"), ("email", $"eva.{_run}@example.com")));
        await UntilHistoryShowsAsync(node, profiles: 5, touchpoints: 7, samples: 3);

        var page = await browser.NewPageAsync(node.BaseUrl, 1280, 900);
        var requested = new List<string>();
        var errors = new List<string>();
        page.Request += (_, request) => requested.Add(request.Url);
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync("/");
        await page.Locator("#dashboard-link").ClickAsync();
        await Expect(page).ToHaveURLAsync($"{node.BaseUrl}/dashboard");

        // 3 customers seen offline, 1 of them also online; 4 of 5 profiles carry more than a cookie or a device.
        await Expect(page.Locator("#reconciliation-rate")).ToHaveTextAsync("33.3%");
        await Expect(page.Locator("#reconciliation-detail")).ToHaveTextAsync("1 of 3 customers seen offline are also known online.");
        await Expect(page.Locator("#identification-rate")).ToHaveTextAsync("80.0%");
        await Expect(page.Locator("#figure-profiles")).ToHaveTextAsync("5");
        await Expect(page.Locator("#figure-touchpoints")).ToHaveTextAsync("7");
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "connected");

        // Profiles per channel, most first, with their touchpoints.
        var bars = page.Locator("#channels-chart .channel-bar");
        await Expect(bars).ToHaveCountAsync(4);
        await Expect(bars.Nth(0)).ToContainTextAsync("Store");
        await Expect(bars.Nth(0)).ToContainTextAsync("2 · 2 tp");
        await Expect(bars.Nth(1)).ToContainTextAsync("Web");
        await Expect(bars.Nth(1)).ToContainTextAsync("2 · 3 tp");
        await Expect(page.Locator("#channels-chart .channel-bar", new() { HasText = "Call centre" })).ToContainTextAsync("1 · 1 tp");
        await Expect(page.Locator("#channels-chart .channel-bar", new() { HasText = "App" })).ToContainTextAsync("1 · 1 tp");

        // The overlap: Dan and Eva online only, Anna in both, Bruno and Chloé offline only.
        await Expect(page.Locator("#overlap-online-only")).ToHaveTextAsync("2");
        await Expect(page.Locator("#overlap-both")).ToHaveTextAsync("1");
        await Expect(page.Locator("#overlap-offline-only")).ToHaveTextAsync("2");
        await Expect(page.Locator("#overlap-neither-item")).ToBeHiddenAsync();

        // The curves: the history read from the node, drawn on uPlot's canvas in both series' colours.
        var chart = page.Locator("#rates-chart");
        await Expect(chart.Locator(".u-legend")).ToContainTextAsync("Reconciliation");
        await Expect(chart.Locator(".u-legend")).ToContainTextAsync("Identification");
        await Expect(page.Locator("#trend-empty")).ToBeHiddenAsync();
        var pointsBefore = int.Parse((await chart.GetAttributeAsync("data-points"))!);
        Assert.True(pointsBefore >= 3, $"{pointsBefore} points on the curves");
        Assert.True(await PixelsOfColourAsync(page, 0x1f, 0x4e, 0x79) > 100, "The reconciliation curve is not drawn.");
        Assert.True(await PixelsOfColourAsync(page, 0xb4, 0x53, 0x09) > 100, "The identification curve is not drawn.");

        // Bruno logs in on the web site with his loyalty card: his shop purchases meet an online journey.
        await IngestAsync(node.Api, Touch("bruno-login", "web", "login", ("cookie", $"ck-bruno-{_run}"), ("loyalty_id", $"FR-B-{_run}")));

        var live = new LocatorAssertionsToHaveTextOptions { Timeout = 20000 };
        await Expect(page.Locator("#reconciliation-rate")).ToHaveTextAsync("66.7%", live);
        await Expect(page.Locator("#reconciliation-detail")).ToHaveTextAsync("2 of 3 customers seen offline are also known online.");
        await Expect(page.Locator("#identification-rate")).ToHaveTextAsync("80.0%");
        await Expect(page.Locator("#figure-touchpoints")).ToHaveTextAsync("8");
        await Expect(page.Locator("#overlap-both")).ToHaveTextAsync("2");
        await Expect(page.Locator("#overlap-offline-only")).ToHaveTextAsync("1");
        await Expect(bars.Nth(0)).ToContainTextAsync("Web");
        await Expect(bars.Nth(0)).ToContainTextAsync("3 · 4 tp");
        // The curves moved on: each poll continues them, and their end, under the pointer, reads the new rate.
        Assert.True(int.Parse((await chart.GetAttributeAsync("data-points"))!) > pointsBefore, "The curves did not move on.");
        var plot = (await chart.Locator(".u-over").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(plot.X + plot.Width - 1, plot.Y + plot.Height / 2);
        await Expect(chart.Locator(".u-legend")).ToContainTextAsync("66.7%");

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "dashboard.png"), FullPage = true });

        // 30 days: the history hour by hour (the last sample of each hour), the figures unchanged.
        var hourly = page.WaitForResponseAsync(response => response.Url.Contains("/v1/stats/history?") && response.Url.Contains("step=hour"));
        await page.Locator(".range[data-range=month]").ClickAsync();
        Assert.Equal(200, (await hourly).Status);
        await Expect(page.Locator(".range[data-range=month]")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator(".range[data-range=day]")).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(page.Locator("#reconciliation-rate")).ToHaveTextAsync("66.7%");

        Assert.All(requested, url => Assert.StartsWith(node.BaseUrl, url));
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task With_api_keys_a_key_without_the_read_role_is_told_so_and_a_reader_key_shows_the_figures()
    {
        using var ingest = browser.KeyedNode.Client(BrowserFixture.IngestKey);
        await IngestAsync(new Api(ingest), Touch("keyed-pos", "store", "purchase", ("loyalty_id", $"FR-K-{_run}")));

        var page = await browser.NewPageAsync(browser.KeyedNode.BaseUrl);
        await page.GotoAsync("/dashboard");

        // The till's key may send touchpoints, not read statistics.
        await Expect(page.Locator("#key-dialog")).ToBeVisibleAsync();
        await page.Locator("#key-input").FillAsync(BrowserFixture.IngestKey);
        await page.Locator("#key-submit").ClickAsync();
        await Expect(page.Locator("#status")).ToContainTextAsync("may not read the statistics");
        await Expect(page.Locator("#status")).ToContainTextAsync("'read'");
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "offline");
        await Expect(page.Locator("#reconciliation-rate")).ToHaveTextAsync("—");

        // Forgetting it asks again, without a reload.
        await page.Locator("#forget-key").ClickAsync();
        await Expect(page.Locator("#key-dialog")).ToBeVisibleAsync();
        await page.Locator("#key-input").FillAsync(BrowserFixture.ReaderKey);
        await page.Locator("#key-submit").ClickAsync();

        await Expect(page.Locator("#key-dialog")).ToBeHiddenAsync();
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(page.Locator("#reconciliation-rate")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{1,3}\.\d%$"));
        await Expect(page.Locator("#figure-profiles")).Not.ToHaveTextAsync("—");
        await Expect(page.Locator("#channels-chart .channel-bar", new() { HasText = "Store" })).ToBeVisibleAsync();
        Assert.Equal(BrowserFixture.ReaderKey, await page.EvaluateAsync<string>("sessionStorage.getItem('profiles.apiKey')"));
        await page.Context.CloseAsync();
    }

    private JsonObject Touch(string id, string channel, string type, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make($"{_run}-{id}", channel, type, DateTimeOffset.UtcNow.AddMinutes(-5), identifiers);

    private static async Task IngestAsync(Api api, params JsonObject[] touchpoints)
    {
        var results = await api.IngestAsync(touchpoints);
        Assert.All(results, r => Assert.True((string?)r!["status"] == "accepted", $"Not accepted: {r}"));
    }

    /// <summary>Waits for the node's history to hold <paramref name="samples"/> samples of these figures, so the
    /// page opens on curves that already show them.</summary>
    private static async Task UntilHistoryShowsAsync(NodeProcess node, long profiles, long touchpoints, int samples)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(250))
        {
            var (_, history) = await node.Api.GetAsync("/v1/stats/history");
            var showing = history!["points"]!.AsArray().Count(p => (long)p!["profiles"]! == profiles && (long)p["touchpoints"]! == touchpoints);
            if (showing >= samples) return;
            Assert.True(DateTime.UtcNow < deadline, $"No {samples} samples of {profiles} profiles and {touchpoints} touchpoints in 30 s: {history}");
        }
    }

    /// <summary>The pixels of the curves' canvas close to one colour: a series drawn in it leaves a line of them.</summary>
    private static Task<int> PixelsOfColourAsync(IPage page, int red, int green, int blue) =>
        page.EvaluateAsync<int>("""
            ([r, g, b]) => {
              const canvas = document.querySelector('#rates-chart canvas');
              const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              let count = 0;
              for (let i = 0; i < data.length; i += 4) {
                if (data[i + 3] > 200 && Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24) count++;
              }
              return count;
            }
            """, new[] { red, green, blue });

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);
}
