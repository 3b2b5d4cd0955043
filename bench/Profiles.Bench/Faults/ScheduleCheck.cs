using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Profiles.Bench.Scenarios;
using Profiles.Contracts;

namespace Profiles.Bench.Faults;

/// <summary>What the checks found after a schedule: counts for the campaign's table, and a line for each failure.</summary>
public sealed class CheckFindings
{
    /// <summary>Acknowledged touchpoints in no profile's journey.</summary>
    public int Lost { get; set; }

    /// <summary>Acknowledged touchpoints found more than once, in one journey or in several.</summary>
    public int Doubled { get; set; }

    /// <summary>Customers whose profile is not the canonical one: an identifier on another profile, a wrong count,
    /// a touchpoint in another customer's journey, a profile shared with another customer.</summary>
    public int NonCanonical { get; set; }

    /// <summary>Acknowledged touchpoints with no <c>touchpoint</c> change in the feed.</summary>
    public int FeedMissing { get; set; }

    /// <summary>Whether <c>/v1/stats</c> answered the same on every node, as a recount and as the accepted set.</summary>
    public bool StatsHold { get; set; } = true;

    public List<string> Problems { get; } = [];
}

/// <summary>
/// The checker, run once the faults are healed and the cluster has settled, against the touchpoints acknowledged
/// (answered <c>accepted</c> or <c>duplicate</c>):
/// the profiles equal the canonical partition of that set (every identifier of every customer looked up, through
/// <see cref="CorrectnessCheck"/>, and no two customers on one profile); every acknowledged touchpoint is in exactly
/// one journey exactly once, its customer's (each profile's journey read to its end); <c>/v1/stats</c> answers the
/// same on every node, what <c>POST /v1/stats/recount</c> finds (no counter corrected) and the accepted set's own
/// figures (profiles, touchpoints); the change feed, read from its start, holds a <c>touchpoint</c> change for each.
/// </summary>
public static class ScheduleCheck
{
    private const int JourneyPage = 500;
    private const int FeedPage = 1000;

    public static async Task<CheckFindings> RunAsync(Nodes nodes, RetailPopulation population, IReadOnlySet<string> acknowledged, int seed, CancellationToken ct)
    {
        var findings = new CheckFindings();
        var landed = population.Touchpoints.Where(t => acknowledged.Contains(t.Id)).ToArray();
        var truth = new GroundTruth(landed);

        var lookups = await CorrectnessCheck.RunAsync(nodes, population, truth, population.Customers.Count, seed, ct).ConfigureAwait(false);
        var wrong = new HashSet<int>(lookups.WrongCustomers.Keys);
        findings.Problems.AddRange(lookups.Details.Take(5));
        var customerOf = population.Customers.SelectMany(c => c.Touchpoints.Select(t => (t.Id, c.Index))).ToDictionary(p => p.Id, p => p.Index);
        var componentOf = population.Customers.ToDictionary(c => c.Index, c => truth.ComponentOf(new IdentifierInput("email", c.Email)));
        var profileOf = componentOf.Where(c => lookups.ProfileOfComponent.ContainsKey(c.Value)).ToDictionary(c => c.Key, c => lookups.ProfileOfComponent[c.Value]);
        foreach (var shared in profileOf.GroupBy(p => p.Value).Where(g => g.Count() > 1))
        {
            wrong.UnionWith(shared.Select(p => p.Key));
            findings.Problems.Add($"customers {string.Join(", ", shared.Select(p => p.Key).Take(5))} share profile {shared.Key}");
        }

        var found = await ReadJourneysAsync(nodes, [.. profileOf.Values.Distinct()], findings, ct).ConfigureAwait(false);
        foreach (var id in acknowledged)
        {
            if (!found.TryGetValue(id, out var where))
            {
                findings.Lost++;
                if (findings.Lost <= 5) findings.Problems.Add($"touchpoint {id}, acknowledged, is in no journey");
                continue;
            }
            if (where.Count > 1)
            {
                findings.Doubled++;
                if (findings.Doubled <= 5) findings.Problems.Add($"touchpoint {id} is {where.Count} times in the journeys of {string.Join(", ", where.Distinct())}");
            }
            var customer = customerOf[id];
            if (profileOf.TryGetValue(customer, out var own) && where.Any(profile => profile != own) && wrong.Add(customer))
                findings.Problems.Add($"touchpoint {id} of customer {customer} is in the journey of {string.Join(", ", where.Where(p => p != own))}, not in its customer's {own}");
        }
        findings.NonCanonical = wrong.Count;
        var strangers = found.Keys.Count(id => !acknowledged.Contains(id));
        if (strangers > 0) findings.Problems.Add($"{strangers} journey items were never acknowledged (sent when the writers gave up, or never sent)");

        await CheckStatsAsync(nodes, truth.ComponentCount, acknowledged.Count, findings, ct).ConfigureAwait(false);
        var feed = await ReadFeedAsync(nodes, findings, ct).ConfigureAwait(false);
        findings.FeedMissing = acknowledged.Count(id => !feed.Contains(id));
        if (findings.FeedMissing > 0)
            findings.Problems.Add($"{findings.FeedMissing} acknowledged touchpoints have no touchpoint change in the feed, {string.Join(", ", acknowledged.Where(id => !feed.Contains(id)).Take(3))} among them");
        return findings;
    }

    /// <summary>Every item id of every journey, with the profiles whose journeys hold it (once per time held).</summary>
    private static async Task<ConcurrentDictionary<string, List<string>>> ReadJourneysAsync(Nodes nodes, string[] profiles, CheckFindings findings, CancellationToken ct)
    {
        var found = new ConcurrentDictionary<string, List<string>>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(profiles, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (profile, token) =>
        {
            var walk = await JourneyWalker.WalkAsync(nodes, profile, JourneyPage, expected: 100_000, progress: null, token, keepIds: true).ConfigureAwait(false);
            if (walk.Error is not null) failures.Enqueue($"the journey of {profile}: {walk.Error}");
            foreach (var id in walk.Ids)
            {
                var where = found.GetOrAdd(id, _ => []);
                lock (where) where.Add(profile);
            }
        }).ConfigureAwait(false);
        findings.Problems.AddRange(failures.Take(5));
        return found;
    }

    /// <summary>Every node's <c>/v1/stats</c> against the others', a recount's and the accepted set's own figures.</summary>
    private static async Task CheckStatsAsync(Nodes nodes, int profiles, int touchpoints, CheckFindings findings, CancellationToken ct)
    {
        void Fail(string problem)
        {
            findings.StatsHold = false;
            findings.Problems.Add(problem);
        }
        var answers = new List<JsonObject>();
        foreach (var target in nodes.Targets)
        {
            if (await ReadJsonAsync(nodes, target, HttpMethod.Get, "v1/stats", ct).ConfigureAwait(false) is { } stats) answers.Add(stats);
            else Fail($"GET /v1/stats on {target} did not answer 200");
        }
        if (answers.Count == 0) return;
        var first = answers[0];
        foreach (var (other, node) in answers.Select((a, i) => (a, i)).Skip(1))
            if (Differences(first, other) is { Length: > 0 } differences)
                Fail($"/v1/stats on node {node + 1} differs from node 1's: {differences}");
        if ((long?)first["profiles"] != profiles || (long?)first["touchpoints"] != touchpoints)
            Fail($"/v1/stats counts {first["profiles"]} profiles and {first["touchpoints"]} touchpoints; the acknowledged touchpoints make {profiles} profiles of {touchpoints}");
        if (await ReadJsonAsync(nodes, nodes.Targets[0], HttpMethod.Post, "v1/stats/recount", ct).ConfigureAwait(false) is not { } recount)
        {
            Fail("POST /v1/stats/recount did not answer 200");
            return;
        }
        if (recount["corrections"] is JsonArray { Count: > 0 } corrections)
            Fail($"the recount corrected {corrections.Count} counters: {corrections.ToJsonString()}");
        if (recount["stats"] is not JsonObject recounted)
            Fail("POST /v1/stats/recount answered no stats");
        else if (Differences(first, recounted) is { Length: > 0 } differences)
            Fail($"/v1/stats differs from the recount's: {differences}");
    }

    /// <summary>Each figure of two statistics that differs (<c>channels.web.touchpoints 8301 / 8300</c>), the time of
    /// reading aside; empty when none does.</summary>
    private static string Differences(JsonObject one, JsonObject other, string prefix = "")
    {
        var differences = new List<string>();
        foreach (var name in one.Select(p => p.Key).Union(other.Select(p => p.Key)).Where(name => name != "asOf"))
        {
            var (a, b) = (one[name], other[name]);
            if (a is JsonObject nestedA && b is JsonObject nestedB)
            {
                if (Differences(nestedA, nestedB, $"{prefix}{name}.") is { Length: > 0 } nested) differences.Add(nested);
            }
            else if (!JsonNode.DeepEquals(a, b)) differences.Add($"{prefix}{name} {a?.ToJsonString() ?? "none"} / {b?.ToJsonString() ?? "none"}");
        }
        return string.Join(", ", differences);
    }

    private static async Task<JsonObject?> ReadJsonAsync(Nodes nodes, Uri target, HttpMethod method, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        using var response = await nodes.On(target).Http.SendAsync(request, ct).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false))?.AsObject() : null;
    }

    /// <summary>The touchpoint ids of every <c>touchpoint</c> change, from the oldest change kept.</summary>
    private static async Task<HashSet<string>> ReadFeedAsync(Nodes nodes, CheckFindings findings, CancellationToken ct)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        while (true)
        {
            var page = await nodes.Next().GetChangesAsync(cursor, FeedPage, ct).ConfigureAwait(false);
            if (!page.Succeeded)
            {
                findings.Problems.Add($"the change feed answered {ProfileReport.Refusal(page)} after {ids.Count} touchpoint changes");
                return ids;
            }
            foreach (var change in page.Value.Items)
                if (change.Type == "touchpoint" && change.Details is { } details && details.TryGetValue("touchpointId", out var id) && id.GetString() is { } touchpoint)
                    ids.Add(touchpoint);
            if (page.Value.Items.Count < FeedPage) return ids;
            cursor = page.Value.NextCursor;
        }
    }
}
