using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>GET /v1/changes: every change of a customer's life, in order, without a value, trait or property.</summary>
[Collection(NodeCollection.Name)]
public class ChangeFeedApiTests(NodeFixture node)
{
    private static readonly DateTimeOffset At = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);
    private readonly HttpClient _http = node.CreateClient();
    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Touchpoints_and_a_merge_reach_the_feed_once_each_with_nothing_a_customer_told_us()
    {
        var (profiles, survivor, merged, email, loyalty) = await MergedCustomerAsync();

        var changes = (await ReadAllAsync(limit: 2)).Where(c => profiles.Contains((string?)c["profileId"])).ToList();

        var touchpoints = changes.Where(c => (string?)c["type"] == "touchpoint").Select(c => (string)c["touchpointId"]!).ToList();
        Assert.Equal(new[] { "w1", "w2", "s1", "link" }.Select(Id).Order(), touchpoints.Order());
        var merge = Assert.Single(changes, c => (string?)c["type"] == "merged");
        Assert.Equal((survivor, merged), ((string)merge["profileId"]!, (string)merge["mergedProfileId"]!));
        Assert.Contains(changes, c => (string?)c["type"] == "audience.entered");
        var link = changes.Single(c => (string?)c["touchpointId"] == Id("link"));
        Assert.Equal(("store", "purchase"), ((string)link["channel"]!, (string)link["touchpointType"]!));
        Assert.All(changes, c => Assert.False(string.IsNullOrEmpty((string?)c["cursor"])));
        var text = string.Join('\n', changes.Select(c => c.ToJsonString()));
        foreach (var secret in new[] { email, loyalty, "Paul", "LYON-2" }) Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_erasure_leaves_one_tombstone_naming_every_id_and_none_of_the_customers_earlier_changes_paged_or_streamed()
    {
        var (profiles, survivor, merged, _, _) = await MergedCustomerAsync();
        Assert.Contains(await ReadAllAsync(limit: 1000), c => (string?)c["touchpointId"] == Id("w1"));

        using (var erased = await _http.DeleteAsync($"/v1/profiles/{merged}")) Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);

        foreach (var limit in new[] { 2, 1000 })
        {
            var named = (await ReadAllAsync(limit)).Where(c => Names(c, profiles)).ToList();
            var tombstone = Assert.Single(named);
            Assert.Equal(("erased", survivor), ((string?)tombstone["type"], (string?)tombstone["profileId"]));
            Assert.Equal([merged], tombstone["erasedProfileIds"]!.AsArray().Select(id => (string)id!));
        }
        var streamed = await StreamUntilAsync(c => (string?)c["type"] == "erased" && (string?)c["profileId"] == survivor);
        Assert.Equal("erased", (string?)Assert.Single(streamed, c => Names(c, profiles))["type"]);
    }

    [Fact]
    public async Task A_reader_resumes_from_a_cursor_and_sees_only_what_came_after()
    {
        var before = await ReadAllAsync(limit: 1000);
        var cursor = (string)(await PageAsync(null, 1000))["nextCursor"]!;
        while (true)
        {
            var page = await PageAsync(cursor, 1000);
            if (page["items"]!.AsArray().Count == 0) break;
            cursor = (string)page["nextCursor"]!;
        }

        await _api.IngestAsync(Touch("after", "web", ("cookie", $"ck-{_run}")));
        var after = await PageAsync(cursor, 1000);

        Assert.Equal(Id("after"), (string?)Assert.Single(after["items"]!.AsArray())!["touchpointId"]);
        Assert.DoesNotContain(before, c => (string?)c["touchpointId"] == Id("after"));
    }

    [Fact]
    public async Task As_an_event_stream_each_change_has_its_cursor_as_id_and_Last_Event_ID_resumes_after_it()
    {
        var cookie = $"ck-sse-{_run}";
        await _api.IngestAsync(Touch("e1", "web", ("cookie", cookie)));
        var first = await NextEventAsync(lastEventId: null, touchpointId: Id("e1"));

        await _api.IngestAsync(Touch("e2", "app", ("cookie", cookie)));
        var second = await NextEventAsync(first.Id, touchpointId: null);

        Assert.Equal("change", second.Event);
        Assert.Equal(Id("e2"), (string?)second.Data["touchpointId"]);
        Assert.Equal(second.Id, (string?)second.Data["cursor"]);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("after=not-a-cursor", "after")]
    public async Task Bad_parameters_answer_a_problem_naming_the_field(string query, string field)
    {
        var (status, problem) = await _api.GetAsync($"/v1/changes?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(field, (string?)problem!["detail"]);
    }

    /// <summary>Every change the stream sends from the start up to the first that <paramref name="last"/> holds for.</summary>
    private async Task<List<JsonNode>> StreamUntilAsync(Func<JsonNode, bool> last)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/changes");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var changes = new List<JsonNode>();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            changes.Add(JsonNode.Parse(line[6..])!);
            if (last(changes[^1])) return changes;
        }
        throw new Xunit.Sdk.XunitException("The stream ended before the change arrived.");
    }

    /// <summary>Whether a change names one of <paramref name="profileIds"/>, whatever the field.</summary>
    private static bool Names(JsonNode change, string[] profileIds) =>
        new[] { "profileId", "mergedProfileId" }.Any(field => profileIds.Contains((string?)change[field])) ||
        new[] { "splitProfileIds", "erasedProfileIds" }.Any(field => change[field]?.AsArray().Any(id => profileIds.Contains((string?)id)) == true);

    /// <summary>A customer who browsed by e-mail and bought by loyalty card, then linked the two: two profiles merged.</summary>
    private async Task<(string[] Profiles, string Survivor, string Merged, string Email, string Loyalty)> MergedCustomerAsync()
    {
        var email = $"feed.{_run}@example.com";
        var loyalty = $"LOY-{_run}";
        var web = await _api.IngestAsync(new[] { Touch("w1", "web", ("email", email)), Touch("w2", "web", ("email", email)) });
        var store = await _api.IngestAsync(Touch("s1", "store", ("loyalty_id", loyalty)));
        await _api.IngestAsync(Touch("w2", "web", ("email", email)));
        await _api.IngestAsync(Touch("link", "store", ("email", email), ("loyalty_id", loyalty)));
        var survivor = (string)(await _api.LookupAsync("email", email))["profileId"]!;
        string[] profiles = [(string)web[0]!["profileId"]!, (string)store[0]!["profileId"]!];
        return (profiles, survivor, profiles.Single(p => p != survivor), email, loyalty);
    }

    /// <summary>Reads the stream (from the start, or after <paramref name="lastEventId"/>) until a change of this
    /// test arrives: the one with <paramref name="touchpointId"/>, or any of this run when null.</summary>
    private async Task<(string Id, string Event, JsonNode Data)> NextEventAsync(string? lastEventId, string? touchpointId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/changes");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        string? id = null, name = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonNode.Parse(line[6..])!;
                var ours = ((string?)data["touchpointId"])?.StartsWith(_run, StringComparison.Ordinal) == true;
                if (ours && (touchpointId is null || (string?)data["touchpointId"] == touchpointId)) return (id!, name!, data);
            }
        }
        throw new Xunit.Sdk.XunitException("The stream ended before the change arrived.");
    }

    private async Task<List<JsonNode>> ReadAllAsync(int limit)
    {
        var changes = new List<JsonNode>();
        string? cursor = null;
        while (true)
        {
            var page = await PageAsync(cursor, limit);
            var items = page["items"]!.AsArray();
            if (items.Count == 0) return changes;
            changes.AddRange(items.Select(i => i!));
            cursor = (string)page["nextCursor"]!;
        }
    }

    private async Task<JsonNode> PageAsync(string? cursor, int limit)
    {
        var (status, page) = await _api.GetAsync($"/v1/changes?limit={limit}" + (cursor is null ? "" : $"&after={cursor}"));
        Assert.Equal(HttpStatusCode.OK, status);
        return page!;
    }

    private string Id(string name) => $"{_run}-{name}";

    private JsonObject Touch(string name, string channel, params (string Type, string Value)[] identifiers)
    {
        var touchpoint = TouchpointJson.Make(Id(name), channel, channel == "store" ? "purchase" : "page_view", At, identifiers);
        touchpoint["traits"] = new JsonObject { ["firstName"] = "Paul" };
        touchpoint["properties"] = new JsonObject { ["storeId"] = "LYON-2" };
        return touchpoint;
    }
}
