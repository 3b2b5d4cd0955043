using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Profiles.Contracts;
using Profiles.Contracts.Http;
using Profiles.Testing;
using Xunit.Abstractions;

namespace Profiles.Durability.Tests;

/// <summary>
/// A node cut off from the other nodes but not from Redis, while customers keep coming back through the others with
/// new identifiers. Once the others declare it dead they take its profiles over, and it runs on until it reads so in
/// the membership table, its activations of those profiles still in memory: asked about an identifier acknowledged
/// since, it must not answer "unknown". Three real node processes on a real redis-server, the cut made with iptables.
/// </summary>
[Collection(PartitionTests.Alone)]
public class CutOffReadsTests(ITestOutputHelper output)
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task A_node_cut_off_from_the_others_never_answers_404_for_an_identifier_acknowledged_elsewhere()
    {
        await NetworkCut.PrepareAsync();
        await using var redis = await RedisServer.StartAsync();
        await using var one = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await using var two = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await using var cutOff = await NodeProcess.StartAsUserAsync(NetworkCut.User, redis.ConnectionString, _run, Cluster.NoLimits);
        var first = new OverlappingLinksPopulation(_run, seed: 31, customers: 60, identifiersPerCustomer: 3).Touchpoints(300);
        await Cluster.ReplayAsync([one, two, cutOff], first, writers: 6, batch: 5);
        var customers = new GroundTruth(first).Profiles().ToList();
        // Each customer comes back again and again, through the nodes that stay, with a cookie never seen before.
        var comebacks = new ConcurrentQueue<TouchpointSpec>(Enumerable.Range(0, 40).SelectMany(round => customers.Select((customer, c) => new TouchpointSpec
        {
            Id = $"{_run}-back-{round}-{c}",
            OccurredAt = DateTimeOffset.UtcNow,
            Channel = "web",
            Type = "page_view",
            Identifiers = [customer.Identifiers[0], new IdentifierInput("cookie", $"{_run}-back-{round}-{c}")],
        })));

        var clock = Stopwatch.StartNew();
        await using var cut = await NetworkCut.CutFromNodesAsync(cutOff.SiloPort, [one.SiloPort, two.SiloPort]);
        var acknowledged = new ConcurrentQueue<(IdentifierInput Cookie, TimeSpan At)>();
        var sent = new ConcurrentBag<TouchpointSpec>();
        var lookups = new ConcurrentBag<(IdentifierInput Cookie, TimeSpan AcknowledgedAt, TimeSpan SentAt, HttpStatusCode? Status)>();
        using var stop = new CancellationTokenSource();
        var writers = Task.WhenAll(Enumerable.Range(0, 8).Select(async writer =>
        {
            while (!stop.IsCancellationRequested && comebacks.TryDequeue(out var comeback))
            {
                sent.Add(comeback);
                var statuses = await Cluster.SendWithRetryAsync([one, two], [comeback], writer);
                Assert.Contains(statuses[comeback.Id], new[] { "accepted", "duplicate" });
                acknowledged.Enqueue((comeback.Identifiers[1], clock.Elapsed));
            }
        }));
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && !cutOff.HasExited)
            {
                var latest = acknowledged.TakeLast(16).ToList();
                await Task.WhenAll(latest.Select(async ack =>
                {
                    var sentAt = clock.Elapsed;
                    lookups.Add((ack.Cookie, ack.At, sentAt, await StatusAsync(cutOff, ack.Cookie)));
                }));
                await Task.Delay(50);
            }
        });

        var stopped = await cutOff.ExitsWithinAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(writers, reader);
        await cut.HealAsync();

        var answered = lookups.Where(l => l.Status is not null).ToList();
        output.WriteLine($"The cut-off node stopped by itself {clock.Elapsed.TotalSeconds:F1} s after the cut; its answers to lookups of identifiers " +
                         $"acknowledged through the others: {string.Join(", ", answered.GroupBy(l => (int)l.Status!).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"))}, " +
                         $"{lookups.Count - answered.Count} unanswered; {acknowledged.Count} comebacks acknowledged.");
        Assert.True(stopped, $"the node cut off from the others still runs a minute after the cut:\n{cutOff.LogTail}");
        var unknown = answered.Where(l => l.Status == HttpStatusCode.NotFound).ToList();
        Assert.True(unknown.Count == 0, $"{unknown.Count} lookups answered 404 for a cookie acknowledged before they were sent, the first " +
                                        $"{(unknown.Count > 0 ? unknown.Min(l => l.SentAt).TotalSeconds : 0):F1} s after the cut");
        Assert.DoesNotContain(answered, l => l.Status is >= HttpStatusCode.InternalServerError and not HttpStatusCode.ServiceUnavailable);
        await Cluster.AssertPartitionAndJourneysAsync(one, [.. first, .. sent]);
    }

    private static async Task<HttpStatusCode?> StatusAsync(NodeProcess node, IdentifierInput identifier)
    {
        try
        {
            using var response = await node.Http.GetAsync(ApiPaths.Lookup(identifier));
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
