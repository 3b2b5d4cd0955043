using System.Diagnostics;
using Profiles.Contracts;
using Xunit.Abstractions;
using static Profiles.Client.Tests.TouchpointsFor;

namespace Profiles.Client.Tests;

/// <summary>A node the client talks to dies (SIGKILL) in the middle of a watch.</summary>
public sealed class GatewayLossTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RedisNodesFixture _nodes = new();
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    public Task InitializeAsync() => _nodes.InitializeAsync();

    public Task DisposeAsync() => _nodes.DisposeAsync();

    [Fact]
    public async Task A_watch_goes_on_through_the_other_gateway_when_a_node_is_killed()
    {
        var email = $"failover.{_run}@example.com";
        await _nodes.Profiles.IngestAsync([Visit($"{_run}-1", 0, ("email", email))]);
        await using var watch = WatchReader.Start(_nodes.Profiles, "email", email);
        await watch.UntilAsync(p => p.Touchpoints == 1);

        await _nodes.One.KillAsync();
        var killed = Stopwatch.StartNew();
        await SendUntilAcceptedAsync(Visit($"{_run}-2", 1, ("email", email)));

        var seen = await watch.UntilAsync(p => p.Touchpoints == 2, TimeSpan.FromSeconds(90));
        output.WriteLine($"The watch showed the touchpoint sent through the surviving node {killed.Elapsed.TotalSeconds:F1} s after the kill.");
        Assert.Equal(seen.ProfileId, (await _nodes.Profiles.LookupAsync("email", email))?.ProfileId);
        var later = Stopwatch.StartNew();
        await _nodes.Profiles.IngestAsync([Visit($"{_run}-3", 2, ("email", email))]);
        await watch.UntilAsync(p => p.Touchpoints == 3, TimeSpan.FromSeconds(5));
        output.WriteLine($"The next touchpoint showed after {later.Elapsed.TotalSeconds:F1} s.");
    }

    /// <summary>The surviving node answers once it has declared the other dead, as a client retrying would find.</summary>
    private async Task SendUntilAcceptedAsync(TouchpointInput touchpoint)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                if ((await _nodes.Two.Api.Client.IngestAsync([touchpoint])).Succeeded) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The surviving node took no touchpoint:\n{_nodes.Two.LogTail}");
            await Task.Delay(200);
        }
    }
}
