using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Profiles.Testing;

namespace Profiles.Browser.Tests;

/// <summary>The clienteling page as a shop assistant uses it, in a real browser against a real node.</summary>
[Collection(BrowserCollection.Name)]
public class ClientelingPageTests(BrowserFixture browser)
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private readonly string _phone = $"06 12 {Random.Shared.Next(10, 100)} {Random.Shared.Next(10, 100)} {Random.Shared.Next(10, 100)}"; // 06 12: an assigned mobile range

    [Fact]
    public async Task A_shop_assistant_finds_a_customer_and_sees_the_profile_and_the_journey()
    {
        using var http = browser.OpenNode.Client();
        var email = $"paul.martin.{_run}@example.com";
        await IngestAsync(http, Paul(email));

        var page = await browser.NewPageAsync(browser.OpenNode.BaseUrl);
        await page.GotoAsync("/");
        await SearchAsync(page, "email", email);

        await Expect(page.Locator("#profile-name")).ToHaveTextAsync("Paul Martin");
        await Expect(page.Locator("#profile-touchpoints")).ToHaveTextAsync("4");
        await Expect(page.Locator("#journey [data-touchpoint-id]")).ToHaveCountAsync(4);
        await Expect(page.Locator("#profile-identifiers")).ToContainTextAsync("p***@example.com");
        await Expect(page.Locator("#channels-online")).ToContainTextAsync("Web");
        await Expect(page.Locator("#channels-offline")).ToContainTextAsync("Store");
        await Expect(page.Locator("#profile-traits")).ToContainTextAsync("Lyon");
        // Newest first: the purchase in the shop tops the journey.
        await Expect(page.Locator("#journey [data-touchpoint-id]").First).ToHaveAttributeAsync("data-touchpoint-id", $"{_run}-pos");
        // The value searched for never reaches the address bar or the history.
        Assert.DoesNotContain(Uri.EscapeDataString(email), page.Url);
        Assert.DoesNotContain(email, page.Url);

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "clienteling-tablet.png") });
        await AssertNoHorizontalScrollAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task On_a_phone_the_page_fits_the_screen()
    {
        using var http = browser.OpenNode.Client();
        var email = $"phone.{_run}@example.com";
        await IngestAsync(http, Paul(email));

        var page = await browser.NewPageAsync(browser.OpenNode.BaseUrl, 390, 844, touch: true);
        await page.GotoAsync("/");
        await SearchAsync(page, "email", email);

        await Expect(page.Locator("#journey [data-touchpoint-id]")).ToHaveCountAsync(4);
        await AssertNoHorizontalScrollAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "clienteling-phone.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_journey_scrolls_on_past_the_first_page()
    {
        using var http = browser.OpenNode.Client();
        var cookie = $"ck-{_run}";
        var start = DateTimeOffset.UtcNow.AddDays(-3);
        await new Api(http).IngestAsync(Enumerable.Range(0, 120).Select(n => new JsonObject
        {
            ["id"] = $"{_run}-view-{n:D3}",
            ["occurredAt"] = start.AddMinutes(n * 7).ToString("O"),
            ["channel"] = "web",
            ["type"] = "page_view",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "cookie", ["value"] = cookie },
                                            new JsonObject { ["type"] = "crm_id", ["value"] = $"CRM-{_run}" }),
            ["properties"] = new JsonObject { ["url"] = $"/products/{n}" },
        }).ToArray());

        var page = await browser.NewPageAsync(browser.OpenNode.BaseUrl);
        await page.GotoAsync("/");
        await SearchAsync(page, "crm_id", $"CRM-{_run}");
        await Expect(page.Locator("#journey [data-touchpoint-id]")).ToHaveCountAsync(50);

        for (var i = 0; i < 10 && await page.Locator("#journey [data-touchpoint-id]").CountAsync() < 120; i++)
        {
            await page.Locator("#journey-sentinel").ScrollIntoViewIfNeededAsync();
            await page.WaitForTimeoutAsync(300);
        }

        await Expect(page.Locator("#journey [data-touchpoint-id]")).ToHaveCountAsync(120);
        await Expect(page.Locator("#journey [data-touchpoint-id]").Last).ToHaveAttributeAsync("data-touchpoint-id", $"{_run}-view-000");
        await Expect(page.Locator("#journey-end")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Client_data_is_shown_as_text_never_as_markup()
    {
        using var http = browser.OpenNode.Client();
        var email = $"xss.{_run}@example.com";
        const string markup = "<img src=x onerror=\"document.title='owned'\"><b>bold</b>";
        await new Api(http).IngestAsync(new JsonObject
        {
            ["id"] = $"{_run}-xss",
            ["channel"] = "web",
            ["type"] = "page_view",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "email", ["value"] = email }),
            ["traits"] = new JsonObject { ["firstName"] = markup },
            ["properties"] = new JsonObject { ["note"] = markup, ["category"] = markup },
        });

        var page = await browser.NewPageAsync(browser.OpenNode.BaseUrl);
        await page.GotoAsync("/");
        await SearchAsync(page, "email", email);

        await Expect(page.Locator($"[data-touchpoint-id='{_run}-xss']")).ToContainTextAsync("<img src=x");
        await Expect(page.Locator("#profile-name")).ToContainTextAsync("<b>bold</b>");
        await Expect(page.Locator("#affinities")).ToContainTextAsync("<img src=x");
        Assert.Equal(0, await page.Locator("#customer img, #customer b").CountAsync());
        Assert.NotEqual("owned", await page.TitleAsync());
        await page.Context.CloseAsync();
    }

    /// <summary>Needs GET /v1/profiles/live (docs/API.md, "Profiles out"): the page follows the customer over SSE.</summary>
    [Fact]
    public async Task A_new_touchpoint_appears_on_the_page_without_reloading()
    {
        using var http = browser.OpenNode.Client();
        var email = $"live.{_run}@example.com";
        await IngestAsync(http, Paul(email));

        var page = await browser.NewPageAsync(browser.OpenNode.BaseUrl);
        var loads = 0;
        page.Load += (_, _) => loads++;
        await page.GotoAsync("/");
        await SearchAsync(page, "email", email);
        await Expect(page.Locator("#journey [data-touchpoint-id]")).ToHaveCountAsync(4);
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "connected");

        await new Api(http).IngestAsync(new JsonObject
        {
            ["id"] = $"{_run}-app",
            ["occurredAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["channel"] = "app",
            ["type"] = "add_to_cart",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "email", ["value"] = email }),
            ["properties"] = new JsonObject { ["sku"] = "TRAIL-43", ["price"] = 119.0 },
        });

        var first = page.Locator("#journey [data-touchpoint-id]").First;
        await Expect(first).ToHaveAttributeAsync("data-touchpoint-id", $"{_run}-app");
        await Expect(first).ToContainTextAsync("Add to cart");
        await Expect(page.Locator("#profile-touchpoints")).ToHaveTextAsync("5");
        await Expect(page.Locator("#channels-online")).ToContainTextAsync("App");
        Assert.Equal(1, loads);
        await page.WaitForTimeoutAsync(800); // past the arrival animation, still highlighted
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "clienteling-live.png") });
        await page.Context.CloseAsync();
    }

    /// <summary>Computed traits and audiences with the shipped defaults: what the customer buys, and the audiences as badges, live.</summary>
    [Fact]
    public async Task The_page_shows_orders_revenue_affinities_and_audiences_and_follows_a_new_purchase()
    {
        using var http = browser.OpenNode.Client();
        var email = $"buyer.{_run}@example.com";
        await IngestAsync(http, Paul(email));

        var page = await browser.NewPageAsync(browser.OpenNode.BaseUrl);
        await page.GotoAsync("/");
        await SearchAsync(page, "email", email);

        await Expect(page.Locator("#computed-orders")).ToHaveTextAsync("1");
        await Expect(page.Locator("#computed-revenue")).ToHaveTextAsync("89.90");
        await Expect(page.Locator("#computed-favourite-category")).ToHaveTextAsync("shoes");
        await Expect(page.Locator("#affinities [data-trait='category_affinity'] .bar")).ToHaveCountAsync(1);
        await Expect(page.Locator("#affinities [data-trait='category_affinity']")).ToContainTextAsync("shoes");
        await Expect(page.Locator("#audiences [data-audience]")).ToHaveTextAsync(["Omnichannel", "One time buyers"]);
        await Expect(page.Locator("#computed [data-trait='stores_visited'] dd")).ToHaveTextAsync("1");
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "connected");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "clienteling-personalisation.png") });

        await new Api(http).IngestAsync(new JsonObject
        {
            ["id"] = $"{_run}-app-buy",
            ["occurredAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["channel"] = "app",
            ["type"] = "purchase",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "email", ["value"] = email }),
            ["properties"] = new JsonObject { ["amount"] = 119.0, ["category"] = "bags" },
        });

        await Expect(page.Locator("#computed-orders")).ToHaveTextAsync("2");
        await Expect(page.Locator("#computed-revenue")).ToHaveTextAsync("208.90");
        await Expect(page.Locator("#affinities [data-trait='category_affinity'] .bar")).ToHaveCountAsync(2);
        await Expect(page.Locator("#audiences [data-audience]")).ToHaveTextAsync(["Omnichannel"]);
        await AssertNoHorizontalScrollAsync(page);
        await page.Context.CloseAsync();
    }

    /// <summary>What the customer allowed, each purpose with the channels decided on their own, live, and the decisions
    /// behind them for a shop assistant to show. The page looks the customer up by body and follows them by profile id:
    /// neither the e-mail nor the phone number is in any address it asks for.</summary>
    [Fact]
    public async Task The_page_shows_what_the_customer_allowed_and_follows_an_sms_stop()
    {
        using var http = browser.OpenNode.Client();
        var email = $"consent.{_run}@example.com";
        var paul = Paul(email);
        paul[1]["consent"] = new JsonArray(new JsonObject { ["purpose"] = "marketing", ["status"] = "granted", ["document"] = "privacy-2026-10" });
        var profileId = (string)(await IngestAsync(http, paul))[0]!["profileId"]!;

        var page = await browser.NewPageAsync(browser.OpenNode.BaseUrl);
        var requests = new List<(string Method, string Url)>();
        page.Request += (_, request) => requests.Add((request.Method, request.Url));
        await page.GotoAsync("/");
        await SearchAsync(page, "email", email);

        var purposes = page.Locator("#consent-purposes [data-purpose]");
        await Expect(purposes).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-purpose='marketing']")).ToHaveAttributeAsync("data-status", "granted");
        await Expect(page.Locator("[data-purpose='personalisation'] .consent-status")).ToHaveTextAsync("allowed");
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "connected");

        await new Api(http).IngestAsync(new JsonObject
        {
            ["id"] = $"{_run}-stop",
            ["occurredAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["channel"] = "sms",
            ["type"] = "sms_reply",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "phone", ["value"] = _phone }),
            ["consent"] = new JsonArray(new JsonObject { ["purpose"] = "marketing", ["channel"] = "sms", ["status"] = "denied" }),
        });

        var sms = page.Locator("[data-purpose='marketing'] .consent-channel[data-channel='sms']");
        await Expect(sms).ToHaveAttributeAsync("data-status", "denied");
        await Expect(sms).ToHaveTextAsync("SMS: not allowed");
        await Expect(page.Locator("[data-purpose='marketing']")).ToHaveAttributeAsync("data-status", "granted");

        await page.Locator("#consent-history summary").ClickAsync();
        var decisions = page.Locator("#consent-decisions .decision");
        await Expect(decisions).ToHaveCountAsync(2);
        await Expect(decisions.First).ToHaveAttributeAsync("data-touchpoint-id", $"{_run}-stop");
        await Expect(decisions.Last).ToContainTextAsync("privacy-2026-10");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "clienteling-consent.png") });

        Assert.Contains(("POST", $"{browser.OpenNode.BaseUrl}/v1/profiles/lookup"), requests);
        Assert.Contains(("GET", $"{browser.OpenNode.BaseUrl}/v1/profiles/{profileId}/live"), requests);
        Assert.DoesNotContain(requests, r => r.Url.Contains("/v1/profiles/live", StringComparison.Ordinal));
        foreach (var value in new[] { email, Uri.EscapeDataString(email), _phone, Uri.EscapeDataString(_phone), _phone.Replace(" ", "+", StringComparison.Ordinal) })
        {
            Assert.DoesNotContain(requests, r => r.Url.Contains(value, StringComparison.OrdinalIgnoreCase));
        }
        await AssertNoHorizontalScrollAsync(page);
        await page.Context.CloseAsync();
    }

    /// <summary>A customer looked up before any system has seen them appears on the page once they do, with what
    /// they allowed, without the shop assistant searching again.</summary>
    [Fact]
    public async Task A_customer_looked_up_before_they_exist_appears_with_their_consent_once_they_do()
    {
        using var http = browser.OpenNode.Client();
        var email = $"newcomer.{_run}@example.com";

        var page = await browser.NewPageAsync(browser.OpenNode.BaseUrl);
        await page.GotoAsync("/");
        await SearchAsync(page, "email", email);
        await Expect(page.Locator("#status")).ToContainTextAsync("No customer has this");
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "waiting");

        await new Api(http).IngestAsync(new JsonObject
        {
            ["id"] = $"{_run}-signup",
            ["occurredAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["channel"] = "web",
            ["type"] = "signup",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "email", ["value"] = email }),
            ["consent"] = new JsonArray(new JsonObject { ["purpose"] = "marketing", ["channel"] = "email", ["status"] = "granted" }),
        });

        await Expect(page.Locator("#customer")).ToBeVisibleAsync();
        await Expect(page.Locator("#journey [data-touchpoint-id]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-purpose='marketing'] .consent-channel[data-channel='email']")).ToHaveAttributeAsync("data-status", "granted");
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "connected");
        await page.Context.CloseAsync();
    }

    /// <summary>Needs the live endpoint and DELETE /v1/profiles/{id}: an erased customer leaves the page.</summary>
    [Fact]
    public async Task An_erased_customer_leaves_the_page()
    {
        using var http = browser.OpenNode.Client();
        var email = $"erased.{_run}@example.com";
        var profileId = (string)(await IngestAsync(http, Paul(email)))[0]!["profileId"]!;

        var page = await browser.NewPageAsync(browser.OpenNode.BaseUrl);
        await page.GotoAsync("/");
        await SearchAsync(page, "email", email);
        await Expect(page.Locator("#journey [data-touchpoint-id]")).ToHaveCountAsync(4);
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "connected");

        using var erase = await http.DeleteAsync($"/v1/profiles/{profileId}");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, erase.StatusCode);

        await Expect(page.Locator("#customer")).ToBeHiddenAsync();
        await Expect(page.Locator("#status")).ToContainTextAsync("erased");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task With_api_keys_the_page_asks_for_a_key_once_and_again_when_it_is_refused()
    {
        using var ingest = browser.KeyedNode.Client(BrowserFixture.IngestKey);
        var email = $"keyed.{_run}@example.com";
        await IngestAsync(ingest, Paul(email));

        var page = await browser.NewPageAsync(browser.KeyedNode.BaseUrl);
        await page.GotoAsync("/");
        await SearchAsync(page, "email", email);

        // No key yet: the page asks for one; a wrong one is refused and asked for again.
        await Expect(page.Locator("#key-dialog")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "clienteling-key.png") });
        await page.Locator("#key-input").FillAsync("not-a-key");
        await page.Locator("#key-submit").ClickAsync();
        await Expect(page.Locator("#key-message")).ToContainTextAsync("refused");
        await page.Locator("#key-input").FillAsync(BrowserFixture.ReaderKey);
        await page.Locator("#key-submit").ClickAsync();

        await Expect(page.Locator("#key-dialog")).ToBeHiddenAsync();
        await Expect(page.Locator("#profile-name")).ToHaveTextAsync("Paul Martin");
        await Expect(page.Locator("#journey [data-touchpoint-id]")).ToHaveCountAsync(4);

        // Kept for the browser session: a reload and a new search ask nothing.
        await page.ReloadAsync();
        await SearchAsync(page, "email", email);
        await Expect(page.Locator("#profile-name")).ToHaveTextAsync("Paul Martin");
        await Expect(page.Locator("#key-dialog")).ToBeHiddenAsync();
        Assert.Equal(BrowserFixture.ReaderKey, await page.EvaluateAsync<string>("sessionStorage.getItem('profiles.apiKey')"));
        await page.Context.CloseAsync();
    }

    /// <summary>Unlink and relink (docs/API.md, "Profiles out"): an operator splits two customers a shared tablet merged, sees both parts, and
    /// undoes it.</summary>
    [Fact]
    public async Task An_operator_splits_two_people_merged_by_a_shared_cookie_and_relinks_them()
    {
        using var http = browser.OpenNode.Client();
        var (anna, bruno) = ($"anna.{_run}@example.com", $"bruno.{_run}@example.com");
        const string annaHint = "a***@example.com", brunoHint = "b***@example.com";
        await IngestAsync(http, SharedTablet(anna, bruno));

        var page = await browser.NewPageAsync(browser.OpenNode.BaseUrl);
        var confirmations = new List<string>();
        page.Dialog += async (_, dialog) => { confirmations.Add(dialog.Message); await dialog.AcceptAsync(); };
        await page.GotoAsync("/");
        await SearchAsync(page, "email", anna);
        var identifiers = page.Locator("#profile-identifiers");
        await Expect(identifiers.Locator("li")).ToHaveCountAsync(3);
        await Expect(identifiers).ToContainTextAsync(annaHint);
        await Expect(identifiers).ToContainTextAsync(brunoHint);
        var merged = await page.Locator("#profile-id").TextContentAsync();

        await Expect(page.Locator("#unlink-button")).ToBeDisabledAsync();
        await Pick(page, annaHint).CheckAsync();
        await Pick(page, brunoHint).CheckAsync();
        await page.Locator("#unlink-button").ClickAsync();

        // Confirmed by name, then split: the page shows one of the two, and the message names both parts.
        var correction = page.Locator("#correction");
        await Expect(correction).ToContainTextAsync("two people");
        Assert.Contains(annaHint, Assert.Single(confirmations));
        Assert.Contains(brunoHint, confirmations[0]);
        await Expect(correction.Locator("button[data-profile-id]")).ToHaveCountAsync(2);
        await Expect(identifiers.Locator("li")).Not.ToHaveCountAsync(3);
        var shown = await identifiers.TextContentAsync() ?? "";
        Assert.True(shown.Contains(annaHint) != shown.Contains(brunoHint), $"Not one of the two e-mails: {shown}");
        var (here, there) = shown.Contains(annaHint) ? (annaHint, brunoHint) : (brunoHint, annaHint);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "clienteling-unlink.png") });

        // The other part, opened from the message, holds the other e-mail.
        var shownId = await page.Locator("#profile-id").TextContentAsync();
        var other = correction.Locator("button[data-profile-id]:enabled");
        await Expect(other).ToHaveCountAsync(1);
        var otherId = await other.GetAttributeAsync("data-profile-id");
        Assert.NotEqual(shownId, otherId);
        Assert.Contains(merged, new[] { shownId, otherId });
        await other.ClickAsync();
        await Expect(page.Locator("#profile-id")).ToHaveTextAsync(otherId!);
        await Expect(identifiers).ToContainTextAsync(there);
        await Expect(identifiers).Not.ToContainTextAsync(here);

        // A mistake: relinked from the same message, the two e-mails are one customer again.
        await page.Locator("#relink-button").ClickAsync();
        await Expect(correction).ToContainTextAsync("linked again");
        await Expect(identifiers.Locator("li")).ToHaveCountAsync(3);
        await Expect(identifiers).ToContainTextAsync(annaHint);
        await Expect(identifiers).ToContainTextAsync(brunoHint);
        Assert.Single(confirmations);
        var relinked = await new Api(http).LookupAsync("email", bruno);
        Assert.Equal((string?)(await new Api(http).LookupAsync("email", anna))["profileId"], (string?)relinked["profileId"]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_key_without_the_identity_role_is_told_so_and_nothing_is_split()
    {
        using var ingest = browser.KeyedNode.Client(BrowserFixture.IngestKey);
        var (anna, bruno) = ($"anna.{_run}@example.com", $"bruno.{_run}@example.com");
        await IngestAsync(ingest, SharedTablet(anna, bruno));

        var page = await browser.NewPageAsync(browser.KeyedNode.BaseUrl);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.GotoAsync("/");
        await page.EvaluateAsync($"sessionStorage.setItem('profiles.apiKey', '{BrowserFixture.ReaderKey}')");
        await SearchAsync(page, "email", anna);
        await Expect(page.Locator("#profile-identifiers li")).ToHaveCountAsync(3);
        var profileId = await page.Locator("#profile-id").TextContentAsync();

        await Pick(page, "a***@example.com").CheckAsync();
        await Pick(page, "b***@example.com").CheckAsync();
        await page.Locator("#unlink-button").ClickAsync();

        await Expect(page.Locator("#status")).ToContainTextAsync("This key may not correct identity");
        await Expect(page.Locator("#status")).ToContainTextAsync("identity");
        await Expect(page.Locator("#correction")).ToBeHiddenAsync();
        await Expect(page.Locator("#profile-identifiers li")).ToHaveCountAsync(3);
        await Expect(page.Locator("#profile-id")).ToHaveTextAsync(profileId!);
        using var reader = browser.KeyedNode.Client(BrowserFixture.ReaderKey);
        Assert.Equal(3, (await new Api(reader).LookupAsync("email", bruno))["identifiers"]!.AsArray().Count);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_api_reference_page_lists_the_calls()
    {
        var page = await browser.NewPageAsync(browser.OpenNode.BaseUrl);
        await page.GotoAsync("/openapi");

        await Expect(page.Locator("#operations")).ToContainTextAsync("/v1/touchpoints");
        await Expect(page.Locator("#operations")).ToContainTextAsync("/v1/profiles/lookup");
        await Expect(page.Locator("#operations")).ToContainTextAsync("/v1/profiles/{profileId}/journey");
        await page.Context.CloseAsync();
    }

    /// <summary>Sends touchpoints and checks every one was accepted.</summary>
    private static async Task<JsonArray> IngestAsync(HttpClient http, object body)
    {
        var results = await new Api(http).IngestAsync(body);
        Assert.All(results, r => Assert.True((string?)r!["status"] == "accepted", $"Not accepted: {r}"));
        return results;
    }

    private static async Task SearchAsync(IPage page, string type, string value)
    {
        await page.Locator("#search-type").SelectOptionAsync(type);
        await page.Locator("#search-value").FillAsync(value);
        await page.Locator("#search-button").ClickAsync();
    }

    /// <summary>The checkbox of the identifier the page shows as <paramref name="hint"/>.</summary>
    private static ILocator Pick(IPage page, string hint) =>
        page.Locator("#profile-identifiers li").Filter(new LocatorFilterOptions { HasText = hint }).Locator(".identifier-pick");

    private static async Task AssertNoHorizontalScrollAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"The page is {overflow}px wider than the screen.");
    }

    /// <summary>Paul: a cookie on the web, a login with his e-mail, an e-mail click, a purchase in the Lyon shop.</summary>
    private JsonObject[] Paul(string email)
    {
        var now = DateTimeOffset.UtcNow;
        var cookie = new JsonObject { ["type"] = "cookie", ["value"] = $"ck-{_run}" };
        JsonObject Email() => new() { ["type"] = "email", ["value"] = email };
        return
        [
            new()
            {
                ["id"] = $"{_run}-web-1", ["occurredAt"] = now.AddDays(-2).AddHours(-3).ToString("O"), ["channel"] = "web", ["type"] = "page_view",
                ["identifiers"] = new JsonArray(cookie.DeepClone()), ["properties"] = new JsonObject { ["url"] = "/shoes/trail-42" },
            },
            new()
            {
                ["id"] = $"{_run}-web-2", ["occurredAt"] = now.AddDays(-2).AddHours(-2).ToString("O"), ["channel"] = "web", ["type"] = "login",
                ["identifiers"] = new JsonArray(cookie.DeepClone(), Email()),
                ["traits"] = new JsonObject { ["firstName"] = "Paul", ["lastName"] = "Martin" },
            },
            new()
            {
                ["id"] = $"{_run}-mail", ["occurredAt"] = now.AddDays(-1).ToString("O"), ["channel"] = "email", ["type"] = "email_open",
                ["identifiers"] = new JsonArray(Email()), ["properties"] = new JsonObject { ["campaign"] = "winter-trail" },
            },
            new()
            {
                ["id"] = $"{_run}-pos", ["occurredAt"] = now.AddHours(-1).ToString("O"), ["channel"] = "store", ["type"] = "purchase",
                ["identifiers"] = new JsonArray(Email(), new JsonObject { ["type"] = "loyalty_id", ["value"] = $"FR-{_run}" },
                                                new JsonObject { ["type"] = "phone", ["value"] = _phone }),
                ["traits"] = new JsonObject { ["city"] = "Lyon" },
                ["properties"] = new JsonObject { ["storeId"] = "LYON-2", ["amount"] = 89.90, ["currency"] = "EUR", ["category"] = "shoes" },
            },
        ];
    }

    /// <summary>Two customers log in on one shop tablet (one cookie): the cookie puts both e-mails on one profile.</summary>
    private JsonObject[] SharedTablet(string first, string second)
    {
        var now = DateTimeOffset.UtcNow;
        JsonObject Login(int n, string email, string name) => new()
        {
            ["id"] = $"{_run}-tablet-{n}", ["occurredAt"] = now.AddHours(n - 3).ToString("O"), ["channel"] = "store", ["type"] = "login",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "cookie", ["value"] = $"tablet-{_run}" }, new JsonObject { ["type"] = "email", ["value"] = email }),
            ["traits"] = new JsonObject { ["firstName"] = name },
        };
        return [Login(1, first, "Anna"), Login(2, second, "Bruno")];
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
