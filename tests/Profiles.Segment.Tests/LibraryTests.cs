using System.Net;
using System.Text.Json.Nodes;
using Profiles.Testing;
using static Profiles.Segment.Tests.AnalyticsLibraries;

namespace Profiles.Segment.Tests;

/// <summary>analytics-node and RudderStack's node library pointed at a node, unchanged but for its address and key.</summary>
[Collection(SegmentNodesCollection.Name)]
public sealed class LibraryTests(SegmentNodes nodes)
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Both_libraries_build_one_customer_across_web_cookies_app_device_email_user_id_and_alias()
    {
        var paul = new ShopperJourney(_run);
        await paul.SendAsync(nodes.Keyed);
        await SendAsync(AnalyticsNode, nodes.Keyed.BaseUrl, SegmentNodes.WebKey, Call("identify", new JsonObject
        {
            ["anonymousId"] = $"ck-anna-{_run}", ["userId"] = $"u-anna-{_run}", ["traits"] = new JsonObject { ["email"] = $"anna.{_run}@example.com" },
        }));

        var profile = await paul.AssertOneCustomerAsync(nodes.KeyedReader);
        var anna = await nodes.KeyedReader.LookupAsync("email", $"anna.{_run}@example.com");
        Assert.NotEqual((string)profile["profileId"]!, (string)anna["profileId"]!);
        Assert.Equal(1, (int)anna["touchpoints"]!);
    }

    [Fact]
    public async Task A_retry_of_the_same_messages_is_a_duplicate_and_counts_nothing()
    {
        var paul = new ShopperJourney(_run);
        await paul.SendAsync(nodes.Keyed);
        var before = await paul.AssertOneCustomerAsync(nodes.KeyedReader);

        await SendAsync(AnalyticsNode, nodes.Keyed.BaseUrl, SegmentNodes.WebKey, paul.WebCalls);

        var after = await paul.AssertOneCustomerAsync(nodes.KeyedReader);
        Assert.Equal((int)before["version"]!, (int)after["version"]!);
    }

    [Fact]
    public async Task The_open_node_of_the_readme_takes_any_write_key_and_its_events_are_on_the_web_channel()
    {
        var paul = new ShopperJourney(_run);
        await SendAsync(AnalyticsNode, nodes.Open.BaseUrl, "any-key-at-all", paul.WebCalls);
        await SendAsync(RudderSdkNode, nodes.Open.BaseUrl, "another-key", paul.AppCalls);

        var profile = await nodes.Open.Api.LookupAsync("customer_id", paul.UserId);
        Assert.Equal(8, (int)profile["channels"]!["web"]!["touchpoints"]!);
        // Without a key naming the app channel, the app's anonymous id is a cookie like any other.
        Assert.Equal((string)profile["profileId"]!, (string)(await nodes.Open.Api.LookupAsync("cookie", paul.Device))["profileId"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await nodes.Open.Api.GetAsync(Profiles.Contracts.Http.ApiPaths.Lookup(new("device_id", paul.Device)))).Status);
    }
}
