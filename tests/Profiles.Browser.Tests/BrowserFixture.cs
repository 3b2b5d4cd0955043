using Profiles.Testing;
using Microsoft.Playwright;

namespace Profiles.Browser.Tests;

/// <summary>
/// Debian's headless chromium driven by Playwright (never a browser Playwright downloads), and two nodes:
/// one open (no API keys, the embedded default) and one with API keys.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ReaderKey = "reader-key-for-browser-tests";
    public const string IngestKey = "ingest-key-for-browser-tests";

    /// <summary>The system chromium; PROFILES_CHROMIUM names another.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("PROFILES_CHROMIUM") ?? "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public NodeProcess OpenNode { get; private set; } = null!;

    public NodeProcess KeyedNode { get; private set; } = null!;

    /// <summary>Where the tests save screenshots of the page (the test output folder).</summary>
    public static string ScreenshotFolder => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"No chromium at {ChromiumPath}: install Debian's package (apt-get install -y chromium), as ./test.sh does.");
        }
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var open = NodeProcess.StartAsync(null, "browser-open");
        var keyed = NodeProcess.StartAsync(null, "browser-keyed",
            $"--Profiles:ApiKeys:till:Key={ReaderKey}", "--Profiles:ApiKeys:till:Roles=read",
            $"--Profiles:ApiKeys:pos:Key={IngestKey}", "--Profiles:ApiKeys:pos:Roles=ingest");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
        OpenNode = await open;
        KeyedNode = await keyed;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (OpenNode is not null) await OpenNode.DisposeAsync();
        if (KeyedNode is not null) await KeyedNode.DisposeAsync();
    }

    /// <summary>A fresh browser context (its own sessionStorage) with a tablet or phone viewport.</summary>
    public async Task<IPage> NewPageAsync(string baseUrl, int width = 1024, int height = 768, bool touch = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = 1,
            HasTouch = touch,
            IsMobile = touch,
            Locale = "en-GB",
            TimezoneId = "Europe/Paris",
        });
        context.SetDefaultTimeout(15000);
        return await context.NewPageAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
