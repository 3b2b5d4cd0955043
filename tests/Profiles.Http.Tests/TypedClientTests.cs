using System.Net;
using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Http.Tests;

/// <summary>The HTTP API through <see cref="ProfilesHttpClient"/>, as the import, the benchmark and the tests call it:
/// the node's answers as the records of Profiles.Contracts, and its refusals with their status and problem.</summary>
[Collection(NodeCollection.Name)]
public class TypedClientTests(NodeFixture node)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 17, 0, 0, TimeSpan.Zero);

    private readonly ProfilesHttpClient _client = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Touchpoints_sent_typed_land_and_their_profile_reads_back_whole_or_in_parts()
    {
        var email = new IdentifierInput("email", $"typed.{_run}@example.com");
        var results = (await _client.IngestAsync([
            new($"{_run}-web", Start, "web", "login", [email, new IdentifierInput("cookie", $"ck-{_run}")], new Dictionary<string, object?> { ["city"] = "Lyon" }),
            new($"{_run}-store", Start.AddHours(1), "store", "purchase", [email]),
        ])).Value;

        Assert.All(results, r => Assert.Equal(TouchpointResult.Accepted, r.Status));
        var profile = (await _client.LookupAsync(email)).Value;
        Assert.Equal(results[0].ProfileId, profile.ProfileId);
        Assert.Equal(2, profile.Touchpoints);
        Assert.Equal("Lyon", profile.Traits["city"].GetString());
        var channels = (await _client.GetProfileAsync(profile.ProfileId, [ProfilePart.Channels])).Value;
        Assert.Equal(["store", "web"], channels.Channels!.Keys.Order());
        Assert.Null(channels.Identifiers);
        Assert.Equal(profile.Version, channels.Version);
    }

    [Fact]
    public async Task A_refusal_carries_its_status_and_the_problem_the_node_described()
    {
        var unknown = await _client.LookupAsync(new IdentifierInput("email", $"nobody.{_run}@example.com"));
        var unreadable = await _client.LookupAsync(new IdentifierInput("phone", "12"));

        Assert.False(unknown.Succeeded);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("No profile holds this email.", unknown.Problem.Detail);
        var thrown = Assert.Throws<ProfilesApiException>(() => unknown.Value);
        Assert.Equal(HttpStatusCode.NotFound, thrown.Status);
        Assert.Equal("POST /v1/profiles/lookup", thrown.Call);
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.Status);
        Assert.StartsWith("value:", unreadable.Problem!.Detail);
    }

    [Fact]
    public async Task A_journey_reads_page_by_page_to_its_end()
    {
        var cookie = new IdentifierInput("cookie", $"pages-{_run}");
        await _client.IngestAsync([.. Enumerable.Range(0, 5).Select(i => new TouchpointInput($"{_run}-{i}", Start.AddMinutes(i), "web", "page_view", [cookie]))]);
        var profileId = (await _client.LookupAsync(cookie)).Value.ProfileId;

        var first = (await _client.GetJourneyAsync(profileId, limit: 3)).Value;
        var last = (await _client.GetJourneyAsync(profileId, limit: 3, first.NextCursor)).Value;

        Assert.Equal([$"{_run}-4", $"{_run}-3", $"{_run}-2", $"{_run}-1", $"{_run}-0"], first.Items.Concat(last.Items).Select(i => i.Id));
        Assert.Null(last.NextCursor);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetJourneyAsync(profileId, cursor: "!!")).Status);
    }

    [Fact]
    public async Task The_change_feed_reads_typed_with_the_fields_of_each_change()
    {
        var tail = (await _client.GetChangesAsync(limit: 1000)).Value.NextCursor;
        while ((await _client.GetChangesAsync(tail, 1000)).Value is { Items.Count: > 0 } more) tail = more.NextCursor;
        var email = new IdentifierInput("email", $"feed.{_run}@example.com");
        await _client.IngestAsync([new TouchpointInput($"{_run}-feed", Start, "store", "purchase", [email])]);

        var changes = (await _client.GetChangesAsync(tail, 1000)).Value.Items;

        var change = Assert.Single(changes, c => c.Type == "touchpoint" && c.Details!["touchpointId"].GetString() == $"{_run}-feed");
        Assert.Equal("store", change.Details!["channel"].GetString());
        Assert.Equal("purchase", change.Details["touchpointType"].GetString());
        Assert.Equal((await _client.LookupAsync(email)).Value.ProfileId, change.ProfileId);
    }

    [Fact]
    public async Task An_unlink_and_a_relink_answer_the_profiles_that_result()
    {
        var (ann, bob) = (new IdentifierInput("email", $"ann.{_run}@example.com"), new IdentifierInput("email", $"bob.{_run}@example.com"));
        var together = (await _client.IngestAsync([
            new TouchpointInput($"{_run}-ann", Start, "web", "login", [ann]),
            new TouchpointInput($"{_run}-bob", Start.AddMinutes(1), "web", "login", [bob]),
            new TouchpointInput($"{_run}-shared", Start.AddMinutes(2), "web", "login", [ann, bob]),
        ])).Value[^1].ProfileId!;

        var split = (await _client.UnlinkAsync(together, ann, bob)).Value;
        var joined = (await _client.RelinkAsync(split[0].ProfileId, ann, bob)).Value;

        Assert.Equal(2, split.Length);
        Assert.Single(joined);
        Assert.Equal(2, joined[0].Identifiers.Count(i => i.Type == "email"));
    }
}
