using System.Diagnostics;
using System.Net;
using Profiles.Testing;
using Profiles.Contracts.Live;
using Xunit.Abstractions;

namespace Profiles.Client.Tests;

/// <summary>A storefront process watching a visitor is killed: its subscriptions do not outlive it.</summary>
public sealed class DeadWatcherTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RedisNodesFixture _nodes = new();

    public Task InitializeAsync() => _nodes.InitializeAsync();

    public Task DisposeAsync() => _nodes.DisposeAsync();

    [Fact]
    public async Task The_grains_remove_the_subscriptions_of_a_client_process_that_died_once_its_leases_lapse()
    {
        var storefront = await StorefrontProcess.StartAsync($"--Profiles:Redis={_nodes.Redis.ConnectionString}", $"--Profiles:ClusterId={_nodes.ClusterId}");
        await using (storefront)
        {
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(storefront.BaseUrl) };
            (await browser.GetAsync("/api/me")).EnsureSuccessStatusCode();
            using var live = await browser.GetAsync("/api/live", HttpCompletionOption.ResponseHeadersRead);
            using var events = new StreamReader(await live.Content.ReadAsStreamAsync());
            Assert.Equal("event: view", await events.ReadLineAsync());
            // The watch leases the visitor's cookie and the profile it leads to.
            Assert.Equal(2, await _nodes.StreamLeasesAsync());
        }

        var died = Stopwatch.StartNew();
        while (await _nodes.StreamLeasesAsync() > 0)
        {
            Assert.True(died.Elapsed < LiveLease.Expiry + TimeSpan.FromMinutes(2), "The dead storefront's leases are still held.");
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        output.WriteLine($"The grains removed the dead storefront's subscriptions {died.Elapsed.TotalSeconds:F0} s after it was killed.");
    }
}
