using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Profiles.Testing;

namespace Profiles.Browser.Tests;

/// <summary>The sample storefront in a real browser: a real storefront process on Profiles.Client, against a real node.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StorefrontPageTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private NodeProcess _node = null!;
    private StorefrontProcess _storefront = null!;

    public async Task InitializeAsync()
    {
        var gateway = FreePort.Next();
        _node = await NodeProcess.StartAsync(null, $"storefront-{_run}", $"--Profiles:GatewayPort={gateway}");
        _storefront = await StorefrontProcess.StartAsync($"--Profiles:Gateways=127.0.0.1:{gateway}", $"--Profiles:ClusterId=storefront-{_run}");
    }

    public async Task DisposeAsync()
    {
        if (_storefront is not null) await _storefront.DisposeAsync();
        if (_node is not null) await _node.DisposeAsync();
    }

    [Fact]
    public async Task A_visitor_is_greeted_after_signing_in_and_the_banner_changes_live_when_they_buy_in_a_shop()
    {
        var page = await browser.NewPageAsync(_storefront.BaseUrl);
        var requested = new List<string>();
        page.Request += (_, request) => requested.Add(request.Url);
        await page.GotoAsync("/");
        await Expect(page.Locator("#greeting")).ToHaveTextAsync("Welcome");
        await Expect(page.Locator("#banner")).ToHaveAttributeAsync("data-banner", "new-season");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");

        var email = $"paul.{_run}@example.com";
        await page.FillAsync("#email", email);
        await page.FillAsync("#first-name", "Paul");
        await page.ClickAsync("#sign-in");
        await Expect(page.Locator("#greeting")).ToHaveTextAsync("Welcome back, Paul");

        // Paul buys in the Lyon shop with his loyalty card and his e-mail: the till writes to the node, not the storefront.
        await _node.Api.IngestAsync(new JsonObject
        {
            ["id"] = $"pos-{_run}", ["channel"] = "store", ["type"] = "purchase",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "loyalty_id", ["value"] = $"FR-{_run}" }, new JsonObject { ["type"] = "email", ["value"] = email }),
            ["properties"] = new JsonObject { ["storeId"] = "LYON-2", ["amount"] = 89.90, ["category"] = "shoes" },
        });
        await Expect(page.Locator("#banner")).ToHaveAttributeAsync("data-banner", "in-store");
        await Expect(page.Locator("#banner-title")).ToHaveTextAsync("Order online, collect in your shop today");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "storefront.png") });

        // A later visit finds the same customer by the cookie alone.
        await page.ReloadAsync();
        await Expect(page.Locator("#greeting")).ToHaveTextAsync("Welcome back, Paul");
        await Expect(page.Locator("#banner")).ToHaveAttributeAsync("data-banner", "in-store");
        Assert.All(requested, url => Assert.StartsWith(_storefront.BaseUrl, url));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_visitor_who_likes_a_category_sees_its_banner()
    {
        var page = await browser.NewPageAsync(_storefront.BaseUrl, 390, 844, touch: true);
        await page.GotoAsync("/");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        await page.FillAsync("#email", $"outdoor.{_run}@example.com");
        await page.FillAsync("#first-name", "Anna");
        await page.SelectOptionAsync("#category", "outdoor");
        await page.ClickAsync("#sign-in");

        await Expect(page.Locator("#banner")).ToHaveAttributeAsync("data-banner", "outdoor");
        await Expect(page.Locator("#greeting")).ToHaveTextAsync("Welcome back, Anna");
        await page.Context.CloseAsync();
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
