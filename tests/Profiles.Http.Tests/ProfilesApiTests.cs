using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>Profiles out (docs/API.md): lookup, profile by id, journey.</summary>
[Collection(NodeCollection.Name)]
public class ProfilesApiTests(NodeFixture node)
{
    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Theory]
    [InlineData("06 12 {0} {1} {2}")]
    [InlineData("+33612{0}{1}{2}")]
    [InlineData("0033 6 12 {0} {1} {2}")]
    [InlineData("+33 (0)6 12 {0} {1} {2}")]
    public async Task Any_spelling_of_a_phone_finds_the_profile(string spelling)
    {
        var digits = Enumerable.Range(0, 3).Select(_ => Random.Shared.Next(10, 100).ToString()).ToArray();
        await _api.IngestAsync(Touch($"{_run}-p", 0, ("phone", $"06.12.{string.Join('.', digits)}"), ("loyalty_id", $"L-{_run}")));
        var expected = (string?)(await _api.LookupAsync("loyalty_id", $"L-{_run}"))["profileId"];

        var found = await _api.LookupAsync("phone", string.Format(spelling, digits));

        Assert.Equal(expected, (string?)found["profileId"]);
    }

    [Fact]
    public async Task A_sha256_lookup_finds_the_profile_of_the_clear_value()
    {
        var email = $"hashed.{_run}@example.com";
        await _api.IngestAsync(Touch($"{_run}-h", 0, ("email", email.ToUpperInvariant())));
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email)));

        var (status, profile) = await _api.GetAsync($"/v1/profiles/lookup?type=email&sha256={sha}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((string?)(await _api.LookupAsync("email", email))["profileId"], (string?)profile!["profileId"]);
    }

    [Fact]
    public async Task The_profile_shows_masked_hints_and_never_the_values()
    {
        var email = $"paul.{_run}@example.com";
        await _api.IngestAsync(Touch($"{_run}-m", 0, ("email", email), ("crm_id", $"CRM-{_run}42")));

        var profile = await _api.LookupAsync("email", email);

        var text = profile.ToJsonString();
        Assert.DoesNotContain(email, text);
        Assert.DoesNotContain($"CRM-{_run}42", text);
        var hints = profile["identifiers"]!.AsArray().Select(i => (string?)i!["hint"]).ToList();
        Assert.Contains("p***@example.com", hints);
        Assert.Contains("CRM-***42", hints);
    }

    [Theory]
    [InlineData("/v1/profiles/lookup?type=email&value=nobody.{run}@example.com")]
    [InlineData("/v1/profiles/0000000000000000000000000000")]
    [InlineData("/v1/profiles/not-a-profile-id")]
    [InlineData("/v1/profiles/0000000000000000000000000000/journey")]
    public async Task Unknown_identifiers_and_ids_are_404_problems(string path)
    {
        var (status, problem) = await _api.GetAsync(path.Replace("{run}", _run));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.NotNull((string?)problem!["detail"]);
    }

    [Theory]
    [InlineData("/v1/profiles/lookup?value=a@b.co", "type")]
    [InlineData("/v1/profiles/lookup?type=email", "value")]
    [InlineData("/v1/profiles/lookup?type=phone&value=12", "value")]
    [InlineData("/v1/profiles/lookup?type=email&sha256=xyz", "sha256")]
    public async Task Bad_lookups_are_400_problems_naming_the_parameter(string path, string parameter)
    {
        var (status, problem) = await _api.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(parameter, (string?)problem!["detail"]);
    }

    [Fact]
    public async Task The_journey_is_newest_first_with_ties_by_id_and_pages_with_a_cursor()
    {
        var email = $"j.{_run}@example.com";
        var touchpoints = Enumerable.Range(0, 23).Select(n => Touch($"{_run}-{n:00}", n / 2, ("email", email))).ToArray();
        await _api.IngestAsync(touchpoints.Reverse().ToArray());
        var profileId = (string)(await _api.LookupAsync("email", email))["profileId"]!;

        var ids = await _api.JourneyIdsAsync(profileId, limit: 5);

        // Same minute for each pair: newest first, then the larger id first.
        Assert.Equal(Enumerable.Range(0, 23).Reverse().Select(n => $"{_run}-{n:00}"), ids);
    }

    [Fact]
    public async Task A_journey_item_keeps_the_touchpoint_without_identifier_values()
    {
        var email = $"item.{_run}@example.com";
        var touchpoint = Touch($"{_run}-item", 0, ("email", email));
        touchpoint["traits"] = new JsonObject { ["city"] = "Lyon" };
        touchpoint["properties"] = new JsonObject { ["amount"] = 89.9, ["currency"] = "EUR" };
        await _api.IngestAsync(touchpoint);
        var profileId = (string)(await _api.LookupAsync("email", email))["profileId"]!;

        var (_, page) = await _api.GetAsync($"/v1/profiles/{profileId}/journey");

        var item = Assert.Single(page!["items"]!.AsArray())!;
        Assert.Equal($"{_run}-item", (string?)item["id"]);
        Assert.Equal("store", (string?)item["channel"]);
        Assert.Equal(89.9, (double)item["properties"]!["amount"]!);
        Assert.Equal("Lyon", (string?)item["traits"]!["city"]);
        Assert.Equal(DateTimeOffset.Parse("2026-11-22T10:15:00+01:00"), DateTimeOffset.Parse((string)item["occurredAt"]!));
        Assert.DoesNotContain(email, item.ToJsonString());
        Assert.Null((string?)page["nextCursor"]);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=%%%", "cursor")]
    [InlineData("cursor=bm90LWEtY3Vyc29y", "cursor")]
    public async Task A_bad_limit_or_cursor_is_a_400_problem(string query, string parameter)
    {
        await _api.IngestAsync(Touch($"{_run}-q", 0, ("cookie", $"{_run}-q")));
        var profileId = (string)(await _api.LookupAsync("cookie", $"{_run}-q"))["profileId"]!;

        var (status, problem) = await _api.GetAsync($"/v1/profiles/{profileId}/journey?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(parameter, (string?)problem!["detail"]);
    }

    [Fact]
    public async Task A_merged_away_profile_id_answers_with_the_survivor_and_its_whole_journey()
    {
        var a = (string)(await _api.IngestAsync(Touch($"{_run}-a", 0, ("email", $"a.{_run}@example.com"))))[0]!["profileId"]!;
        var b = (string)(await _api.IngestAsync(Touch($"{_run}-b", 1, ("loyalty_id", $"L-{_run}"))))[0]!["profileId"]!;

        var survivor = (string)(await _api.IngestAsync(Touch($"{_run}-ab", 2, ("email", $"a.{_run}@example.com"), ("loyalty_id", $"L-{_run}"))))[0]!["profileId"]!;

        foreach (var id in new[] { a, b })
        {
            var (status, profile) = await _api.GetAsync($"/v1/profiles/{id}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(survivor, (string?)profile!["profileId"]);
            Assert.Equal(3, (int)profile["touchpoints"]!);
            Assert.Equal([$"{_run}-ab", $"{_run}-b", $"{_run}-a"], await _api.JourneyIdsAsync(id));
        }
    }

    private static JsonObject Touch(string id, int minutes, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make(id, "store", "purchase", new DateTimeOffset(2026, 11, 22, 10, 15, 0, TimeSpan.FromHours(1)).AddMinutes(minutes), identifiers);
}
