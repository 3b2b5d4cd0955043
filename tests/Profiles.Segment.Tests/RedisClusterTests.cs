using System.Net;
using Profiles.Contracts.Http;
using Profiles.Testing;

namespace Profiles.Segment.Tests;

/// <summary>
/// The same door on the durable setting at scale: two nodes on a three-master Redis Cluster. What the libraries send
/// through one node is read on the other, in the feed, and erased everywhere, as any touchpoint is.
/// </summary>
public sealed class RedisClusterTests : IAsyncLifetime
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private RedisClusterServer _redis = null!;
    private NodeProcess _writer = null!;
    private NodeProcess _reader = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisClusterServer.StartAsync(masters: 3);
        _writer = await NodeProcess.StartAsync(_redis.ConnectionString, $"segment-{_run}", SegmentNodes.Keys);
        _reader = await NodeProcess.StartAsync(_redis.ConnectionString, $"segment-{_run}", SegmentNodes.Keys);
    }

    public async Task DisposeAsync()
    {
        if (_writer is not null) await _writer.DisposeAsync();
        if (_reader is not null) await _reader.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }

    [Fact]
    public async Task The_libraries_events_are_one_customer_on_every_node_in_the_feed_and_erased_everywhere()
    {
        var paul = new ShopperJourney(_run);
        await paul.SendAsync(_writer);

        var reader = new Api(_reader.Client(SegmentNodes.ReadKey), serverLog: () => _reader.LogTail);
        var profileId = (string)(await paul.AssertOneCustomerAsync(reader))["profileId"]!;

        var (status, changes) = await reader.GetAsync(ApiPaths.Changes(limit: 1000));
        Assert.Equal(HttpStatusCode.OK, status);
        var touchpointIds = changes!["items"]!.AsArray()
            .Where(c => (string)c!["type"]! == "touchpoint").Select(c => (string)c!["touchpointId"]!).ToHashSet();
        Assert.Subset(touchpointIds, paul.WebMessageIds.ToHashSet());

        using var privacy = _writer.Client(SegmentNodes.EraseKey);
        Assert.Equal(HttpStatusCode.NoContent, (await privacy.DeleteAsync(ApiPaths.Profile(profileId))).StatusCode);
        foreach (var (type, value) in paul.Identifiers)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync(ApiPaths.Lookup(new(type, value)))).Status);
        }
    }
}
