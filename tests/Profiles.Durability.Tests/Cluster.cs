using System.Net;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>Helpers a client of several nodes would have: send a batch, retrying on another node.</summary>
public static class Cluster
{
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

    /// <summary>Every answer a client can get about these identifiers: the profile of each and its journey.</summary>
    public static async Task<Dictionary<string, string>> AnswersAsync(NodeProcess node, IEnumerable<IdentifierSpec> identifiers)
    {
        var answers = new Dictionary<string, string>();
        foreach (var identifier in identifiers)
        {
            var profile = await node.Api.LookupAsync(identifier);
            var journey = await node.Api.JourneyIdsAsync((string)profile["profileId"]!, limit: 500);
            answers[$"{identifier.Type}:{identifier.Value}"] = profile.ToJsonString() + string.Join(',', journey);
        }
        return answers;
    }
}
