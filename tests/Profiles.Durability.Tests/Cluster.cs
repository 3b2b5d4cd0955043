using System.Net;
using Profiles.Contracts;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>Helpers a client of several nodes would have: send a batch, retrying on another node.</summary>
public static class Cluster
{
    /// <summary>These tests check durability against a plain union-find, so identity rule limits are lifted on
    /// the command line; the rules have tests of their own.</summary>
    public static readonly string[] NoLimits =
        [.. new[] { "crm_id", "customer_id", "loyalty_id", "app_user_id", "email", "phone" }.Select(type => $"--Profiles:IdentityRules:{type}:Limit=")];

    /// <summary>Sends one batch, moving to the next node on a failure or a 5xx, until a node answers 200.
    /// Returns every result's status by touchpoint id.</summary>
    public static async Task<Dictionary<string, string>> SendWithRetryAsync(IReadOnlyList<NodeProcess> nodes, IReadOnlyList<TouchpointSpec> batch, int first)
    {
        var body = TouchpointJson.Array(batch);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        for (var attempt = 0; ; attempt++)
        {
            var node = nodes[(first + attempt) % nodes.Count];
            try
            {
                var (status, results) = await node.Api.PostAsync(body);
                if (status == HttpStatusCode.OK) return results!.AsArray().ToDictionary(r => (string)r!["id"]!, r => (string)r!["status"]!);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No node took a batch in 2 minutes:\n{node.LogTail}");
            await Task.Delay(100);
        }
    }

    /// <summary>Writers take batches off one queue and send each to their own node first.</summary>
    public static async Task<Dictionary<string, string>> ReplayAsync(IReadOnlyList<NodeProcess> nodes, IReadOnlyList<TouchpointSpec> touchpoints, int writers, int batch, Func<int, Task>? afterBatch = null)
    {
        var statuses = new Dictionary<string, string>();
        var sent = 0;
        await ConcurrentWriters.RunAsync(touchpoints, batch, writers, async (writer, next) =>
        {
            var results = await SendWithRetryAsync(nodes, next, writer);
            lock (statuses)
            {
                foreach (var (id, status) in results) statuses[id] = status;
            }
            if (afterBatch is not null) await afterBatch(Interlocked.Increment(ref sent));
        });
        return statuses;
    }

    /// <summary>Fails with the first answer that differs, in full.</summary>
    public static void AssertSameAnswers(Dictionary<string, string> expected, Dictionary<string, string> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (identifier, answer) in expected)
        {
            if (actual[identifier] != answer) throw new Xunit.Sdk.XunitException($"{identifier} answered differently:\nbefore: {answer}\nafter:  {actual[identifier]}");
        }
    }

    /// <summary>Every answer a client can get about these identifiers: the profile of each and its journey. A read
    /// answered 503 is sent again, as a client would: a node just started on a loaded machine can miss a grain call's
    /// 3 s deadline while the other node joins, and a 503 is no answer, only a "not now".</summary>
    public static async Task<Dictionary<string, string>> AnswersAsync(NodeProcess node, IEnumerable<IdentifierInput> identifiers)
    {
        var api = node.Api.RetryingUnavailable();
        var answers = new Dictionary<string, string>();
        foreach (var identifier in identifiers)
        {
            var profile = await api.LookupAsync(identifier);
            var journey = await api.JourneyIdsAsync((string)profile["profileId"]!, limit: 500);
            answers[$"{identifier.Type}:{identifier.Value}"] = profile.ToJsonString() + string.Join(',', journey);
        }
        return answers;
    }

    /// <summary>Every identifier answers with the profile of its connected component, whose journey holds exactly
    /// that component's touchpoints, once each, and whose count says so. Profiles are checked two at a time, as two
    /// clients would read: eight at a time swamped a node that had just taken over a dead one's grains on a loaded
    /// machine, which then missed the other node's probes and was declared dead in the middle of the check. A read
    /// answered 503 is sent again, as a client would: just after a node joins or leaves, a read whose grain is moving
    /// between nodes can miss its 3 s deadline on a loaded machine.</summary>
    public static async Task AssertPartitionAndJourneysAsync(NodeProcess node, IReadOnlyList<TouchpointSpec> specs)
    {
        var api = node.Api.RetryingUnavailable();
        await Parallel.ForEachAsync(new GroundTruth(specs).Profiles(), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (expected, _) =>
        {
            var profiles = await Task.WhenAll(expected.Identifiers.Select(api.LookupAsync));
            var profileId = Assert.Single(profiles.Select(p => (string)p["profileId"]!).Distinct());
            var journey = await api.JourneyIdsAsync(profileId, limit: 500);
            Assert.True(expected.TouchpointIds.Order().SequenceEqual(journey.Order()) && expected.TouchpointIds.Count == (int)profiles[0]["touchpoints"]!,
                $"Expected touchpoints {string.Join(' ', expected.TouchpointIds.Order())}; journey {string.Join(' ', journey.Order())}; profile {profiles[0].ToJsonString()}");
        });
    }
}
