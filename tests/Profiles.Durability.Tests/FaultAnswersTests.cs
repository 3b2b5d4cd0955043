using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Profiles.Contracts;
using Profiles.Contracts.Http;
using Profiles.Testing;
using Xunit.Abstractions;

namespace Profiles.Durability.Tests;

/// <summary>
/// What a node answers while a fault strikes it: 200, a 503 with <c>Retry-After</c> ("not now: later here, or another
/// node at once"), or nothing at all; never a 500, which tells a client nothing it can act on. Real node processes on
/// a real redis-server, a real SIGSTOP and real TCP resets; what was acknowledged is checked afterwards. They look at
/// the answers of a fault's first moments, so they run alone.
/// </summary>
[Collection(PartitionTests.Alone)]
public class FaultAnswersTests(ITestOutputHelper output)
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task A_node_resumed_after_the_other_declared_it_dead_answers_503_until_it_stops()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var survivor = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await using var victim = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        var before = new OverlappingLinksPopulation(_run, seed: 21, customers: 30, identifiersPerCustomer: 3).Touchpoints(300);
        await Cluster.ReplayAsync([survivor, victim], before, writers: 4, batch: 10);

        victim.Pause();
        var pausedAt = Stopwatch.StartNew();
        // Customers new to the cluster, whose identifiers need activations of their own. Sent to the paused node, the
        // requests wait in its sockets; it reads them the moment it resumes, before it learns it was declared dead.
        var late = new OverlappingLinksPopulation($"{_run}-late", seed: 22, customers: 400, identifiersPerCustomer: 2).Touchpoints(800).Chunk(2).ToList();
        var waiting = late[..60].Select(batch => NodeAnswer.PostAsync(victim, batch)).ToList();
        await WaitUntilDeclaredDeadAsync(survivor, new GroundTruth(before).Identifiers, pausedAt);
        victim.Resume();
        // And clients go on sending to it until it stops, as they would between its resuming and its stopping.
        var queue = new ConcurrentQueue<TouchpointSpec[]>(late[60..]);
        var sent = new ConcurrentBag<(TouchpointSpec[] Batch, NodeAnswer Answer)>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (!victim.HasExited && queue.TryDequeue(out var batch)) sent.Add((batch, await NodeAnswer.PostAsync(victim, batch)));
        }));
        var answers = (await Task.WhenAll(waiting)).Zip(late).Select(pair => (Batch: pair.Second, Answer: pair.First)).Concat(sent).ToList();

        output.WriteLine($"Paused {pausedAt.Elapsed.TotalSeconds:F1} s; answers of the resumed node: {NodeAnswer.Summary(answers.Select(a => a.Answer))}");
        NodeAnswer.AssertNoServerError([.. answers.Select(a => a.Answer)]);
        Assert.True(await victim.ExitsWithinAsync(TimeSpan.FromSeconds(30)), $"the node declared dead still runs:\n{victim.LogTail}");
        await AssertEverythingLandedOnceAsync(survivor, [.. before, .. answers.SelectMany(a => a.Batch)], answers);
    }

    [Fact]
    public async Task A_node_whose_Redis_connections_are_reset_under_ingest_answers_503()
    {
        await NetworkCut.PrepareAsync();
        await using var redis = await RedisServer.StartAsync();
        await using var survivor = await NodeProcess.StartAsync(redis.ConnectionString, _run, Cluster.NoLimits);
        await using var victim = await NodeProcess.StartAsUserAsync(NetworkCut.User, redis.ConnectionString, _run, Cluster.NoLimits);
        // Merges first, so that an append asks the shards of the profiles merged into its profile whether a touchpoint
        // is stored there already: more calls in flight when the connections break.
        var specs = new OverlappingLinksPopulation(_run, seed: 23, customers: 40, identifiersPerCustomer: 4).Touchpoints(4000);
        await Cluster.ReplayAsync([survivor, victim], specs[..400], writers: 8, batch: 10);

        var batches = new ConcurrentQueue<TouchpointSpec[]>(specs[400..].Chunk(10));
        var sent = new ConcurrentBag<(TouchpointSpec[] Batch, NodeAnswer Answer)>();
        using var stop = new CancellationTokenSource();
        var writers = Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (!stop.IsCancellationRequested && batches.TryDequeue(out var batch)) sent.Add((batch, await NodeAnswer.PostAsync(victim, batch)));
        }));
        for (var round = 0; round < 3; round++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            // Redis holds every command for a second, so that many are in flight, then the connections break under them.
            await redis.CliAsync("client", "pause", "1000", "all");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await using var reset = await NetworkCut.ResetAsync(redis.Port);
            await Task.Delay(TimeSpan.FromMilliseconds(1000));
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await writers;

        var answers = sent.Select(s => s.Answer).ToList();
        output.WriteLine($"Answers of the node whose Redis connections were reset: {NodeAnswer.Summary(answers)}");
        NodeAnswer.AssertNoServerError(answers);
        await AssertEverythingLandedOnceAsync(survivor, [.. specs[..400], .. sent.SelectMany(s => s.Batch)], sent.Select(s => (s.Batch, s.Answer)));
    }

    /// <summary>Returns once the survivor answers every identifier that landed before the pause, the paused node's
    /// among them, which it can only once it has declared that node dead and taken its grains over; and not before
    /// 10 s of pause, about the time a silent node takes to be declared dead.</summary>
    private static async Task WaitUntilDeclaredDeadAsync(NodeProcess survivor, IReadOnlyList<IdentifierInput> identifiers, Stopwatch pausedAt)
    {
        while (pausedAt.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (pausedAt.Elapsed > TimeSpan.FromSeconds(10))
            {
                var statuses = await Task.WhenAll(identifiers.Select(async identifier => (await survivor.Api.GetAsync(ApiPaths.Lookup(identifier))).Status));
                if (statuses.All(status => status == HttpStatusCode.OK)) return;
            }
            await Task.Delay(500);
        }
        throw new Xunit.Sdk.XunitException($"The survivor did not take the paused node's grains over within 60 s:\n{survivor.LogTail}");
    }

    /// <summary>Sends every batch the node under fault did not take to the survivor, as a client would, then checks
    /// that every touchpoint landed once, in the profile of its component.</summary>
    private static async Task AssertEverythingLandedOnceAsync(NodeProcess survivor, IReadOnlyList<TouchpointSpec> all, IEnumerable<(TouchpointSpec[] Batch, NodeAnswer Answer)> underFault)
    {
        foreach (var (batch, _) in underFault.Where(sent => sent.Answer.Status != HttpStatusCode.OK))
        {
            var statuses = await Cluster.SendWithRetryAsync([survivor], batch, 0);
            Assert.All(statuses.Values, status => Assert.Contains(status, new[] { "accepted", "duplicate" }));
        }
        await Cluster.AssertPartitionAndJourneysAsync(survivor, all);
    }
}

/// <summary>What a node answered one request: its status and <c>Retry-After</c>, or no status when no answer came
/// (refused, reset, or nothing within the client's time-out).</summary>
public sealed record NodeAnswer(HttpStatusCode? Status, string? RetryAfter, string Body)
{
    public static async Task<NodeAnswer> PostAsync(NodeProcess node, IReadOnlyList<TouchpointSpec> batch)
    {
        try
        {
            using var response = await node.Http.PostAsync(ApiPaths.Touchpoints,
                new StringContent(TouchpointJson.Array(batch), System.Text.Encoding.UTF8, "application/json"));
            return new NodeAnswer(response.StatusCode, response.Headers.RetryAfter?.ToString(), await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new NodeAnswer(null, null, e.Message);
        }
    }

    public static string Summary(IEnumerable<NodeAnswer> answers) =>
        string.Join(", ", answers.GroupBy(a => a.Status is { } status ? ((int)status).ToString() : "no answer").OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>No 5xx but 503, and every 503 says when to come back.</summary>
    public static void AssertNoServerError(IReadOnlyCollection<NodeAnswer> answers)
    {
        var serverErrors = answers.Where(a => a.Status is >= HttpStatusCode.InternalServerError and not HttpStatusCode.ServiceUnavailable).ToList();
        Assert.True(serverErrors.Count == 0, $"{serverErrors.Count} answers were server errors other than 503:\n{string.Join('\n', serverErrors.Take(3))}");
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a => Assert.Equal("1", a.RetryAfter));
    }
}
