using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>GET /v1/profiles/{profileId}/live: the live stream of a customer named by a profile id, with no identifier
/// in the address.</summary>
[Collection(NodeCollection.Name)]
public class LiveByProfileIdTests(NodeFixture node)
{
    private static readonly DateTimeOffset At = new(2026, 5, 4, 9, 0, 0, TimeSpan.Zero);
    private readonly HttpClient _http = node.CreateClient();
    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task The_stream_follows_the_id_into_the_profile_it_merges_into_and_ends_when_the_customer_is_erased()
    {
        var (email, cookie) = ($"live.{_run}@example.com", $"ck-{_run}");
        var older = await ProfileOfAsync(Touch("1", 0, ("email", email)));
        var watched = await ProfileOfAsync(Touch("2", 1, ("cookie", cookie)));
        await using var stream = await EventStream.OpenAsync(_http, watched);

        var first = await stream.NextAsync();
        Assert.Equal(("profile", watched, 1), (first.Event, (string?)first.Data["profileId"], (int?)first.Data["touchpoints"]));

        await _api.IngestAsync(Touch("3", 2, ("cookie", cookie)));
        await stream.UntilAsync((name, data) => name == "profile" && (string?)data["profileId"] == watched && (int?)data["touchpoints"] == 2);

        await _api.IngestAsync(Touch("login", 3, ("cookie", cookie), ("email", email)));
        var merged = await stream.UntilAsync((name, data) => name == "profile" && (int?)data["touchpoints"] == 4);
        Assert.Equal(older, (string?)merged.Data["profileId"]);
        Assert.Contains(watched, merged.Data["mergedProfileIds"]!.AsArray().Select(id => (string?)id));

        await _api.IngestAsync(Touch("4", 4, ("email", email)));
        await stream.UntilAsync((name, data) => name == "profile" && (int?)data["touchpoints"] == 5);

        using (var erased = await _http.DeleteAsync($"/v1/profiles/{older}")) Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        var deleted = await stream.UntilAsync((name, _) => name == "deleted");
        Assert.Equal(older, (string?)deleted.Data["profileId"]);
        Assert.True(await stream.EndsWithinAsync(TimeSpan.FromSeconds(10)), "The stream of an erased profile id stays open.");
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(watched));
    }

    [Fact]
    public async Task On_a_split_the_stream_shows_the_part_that_keeps_the_id()
    {
        var (ann, bob, cookie) = ($"ann.{_run}@example.com", $"bob.{_run}@example.com", $"ck-{_run}");
        await _api.IngestAsync(new[] { Touch("a", 0, ("cookie", cookie), ("email", ann)), Touch("b", 60, ("cookie", cookie), ("email", bob)) });
        var profileId = (string)(await _api.LookupAsync("email", ann))["profileId"]!;
        await using var stream = await EventStream.OpenAsync(_http, profileId);
        await stream.UntilAsync((name, data) => name == "profile" && (int?)data["touchpoints"] == 2);

        using var unlink = await _http.PostAsJsonAsync($"/v1/profiles/{profileId}/unlink",
            new { identifiers = new[] { new { type = "email", value = ann }, new { type = "email", value = bob } } });
        Assert.Equal(HttpStatusCode.OK, unlink.StatusCode);

        var part = await stream.UntilAsync((name, data) => name == "profile" && (int?)data["touchpoints"] == 1);
        Assert.Equal(profileId, (string?)part.Data["profileId"]);
        var (_, kept) = await _api.GetAsync($"/v1/profiles/{profileId}");
        Assert.Equal(kept!["identifiers"]!.ToJsonString(), part.Data["identifiers"]!.ToJsonString());
    }

    [Theory]
    [InlineData("0000000000000000000000000000")]
    [InlineData("not-a-profile-id")]
    public async Task An_id_never_seen_is_a_404_problem(string profileId)
    {
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(profileId));
    }

    [Fact]
    public async Task An_erased_id_is_a_404_problem()
    {
        var profileId = await ProfileOfAsync(Touch("gone", 0, ("cookie", $"gone-{_run}")));
        using (var erased = await _http.DeleteAsync($"/v1/profiles/{profileId}")) Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(profileId));
    }

    /// <summary>The status of opening the stream; a problem's body is checked to be problem+json naming the id.</summary>
    private async Task<HttpStatusCode> StatusOfAsync(string profileId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/profiles/{profileId}/live");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(profileId, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]);
        }
        return response.StatusCode;
    }

    private async Task<string> ProfileOfAsync(JsonObject touchpoint) => (string)(await _api.IngestAsync(touchpoint))[0]!["profileId"]!;

    private JsonObject Touch(string name, int minutes, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make($"{_run}-{name}", "web", "page_view", At.AddMinutes(minutes), identifiers);
}
