using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Profiles.Contracts;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>POST /v1/profiles/lookup: the lookup with the identifier in the body instead of the address, answering
/// exactly as the GET form does.</summary>
[Collection(NodeCollection.Name)]
public class LookupByBodyTests(NodeFixture node)
{
    private readonly HttpClient _http = node.CreateClient();
    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    /// <summary>Each case is the GET form's parameters ({email}, {sha} stand for this run's customer); null leaves one out.</summary>
    public static TheoryData<string?, string?, string?, string?> Cases => new()
    {
        { "email", " {EMAIL} ", null, null },
        { "email", null, "{sha}", null },
        { "email", "{email}", null, "computed,audiences" },
        { "email", "{email}", null, "traits, identifiers" },
        { "phone", "06 12 34 56 78", null, null },
        { "email", "nobody.{email}", null, null },
        { null, "{email}", null, null },
        { "email", null, null, null },
        { "email", "{email}", "{sha}", null },
        { "phone", "12", null, null },
        { "email", null, "xyz", null },
        { "Email", "{email}", null, null },
        { "email", "{email}", null, "computed,colour" },
        { "email", "{email}", null, "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_POST_form_answers_exactly_as_the_GET_form(string? type, string? value, string? sha256, string? fields)
    {
        var email = $"body.{_run}@example.com";
        await _api.IngestAsync(TouchpointJson.Make($"{_run}-1", "store", "purchase", null, ("email", email), ("loyalty_id", $"BODY-{_run}")));
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email)));
        string? Fill(string? text) => text?.Replace("{email}", email).Replace("{EMAIL}", email.ToUpperInvariant()).Replace("{sha}", sha);
        (type, value, sha256) = (Fill(type), Fill(value), Fill(sha256));
        var query = string.Join('&', new[] { ("type", type), ("value", value), ("sha256", sha256), ("fields", fields) }
            .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));

        var (getStatus, getBody) = await _api.GetAsync($"/v1/profiles/lookup?{query}");
        var (postStatus, postBody) = await PostAsync(new JsonObject { ["type"] = type, ["value"] = value, ["sha256"] = sha256, ["fields"] = fields }.ToJsonString());

        Assert.Equal(getStatus, postStatus);
        Assert.Equal(Comparable(getBody), Comparable(postBody));
    }

    [Theory]
    [InlineData("not json", "body:")]
    [InlineData("""["email", "a@b.co"]""", "body:")]
    [InlineData("""{ "type": 3, "value": "a@b.co" }""", "type:")]
    [InlineData("""{ "type": "email", "value": { "text": "a@b.co" } }""", "value:")]
    [InlineData("""{ "type": "email", "sha256": 12 }""", "sha256:")]
    [InlineData("""{ "type": "email", "value": "a@b.co", "fields": ["computed"] }""", "fields:")]
    [InlineData("""{ "value": "a@b.co" }""", "type:")]
    [InlineData("""{ "type": "email" }""", "sha256: value or sha256 is required")]
    [InlineData("""{ "type": "email", "value": "not-an-email" }""", "value:")]
    public async Task A_body_the_lookup_cannot_read_is_a_400_problem_naming_the_member(string body, string member)
    {
        var (status, problem) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(member, (string?)problem!["detail"]);
    }

    [Fact]
    public async Task A_body_not_sent_as_JSON_is_a_415_and_an_oversized_one_a_413()
    {
        var (plain, _) = await PostAsync("""{ "type": "email", "value": "a@b.co" }""", "text/plain");
        var (large, _) = await PostAsync($$"""{ "type": "email", "value": "a@b.co", "padding": "{{new string('x', 20_000)}}" }""");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large);
    }

    [Fact]
    public async Task The_typed_client_looks_up_through_the_body_and_reads_the_answer()
    {
        var email = $"typed.{_run}@example.com";
        var landed = await _api.IngestAsync(TouchpointJson.Make($"{_run}-2", "web", "login", null, ("email", email)));

        var found = await _api.Client.LookupAsync(new IdentifierInput("email", email.ToUpperInvariant()));
        var small = await _api.Client.LookupAsync(new IdentifierInput("email", email), ["audiences"]);
        var missing = await _api.Client.LookupAsync(new IdentifierInput("email", $"nobody.{email}"));

        Assert.Equal("POST /v1/profiles/lookup", found.Call);
        Assert.Equal((string?)landed[0]!["profileId"], found.Value.ProfileId);
        Assert.Equal(found.Value.ProfileId, small.Value.ProfileId);
        Assert.Null(small.Value.Traits);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string body, string contentType = "application/json")
    {
        using var response = await _http.PostAsync("/v1/profiles/lookup", new StringContent(body, Encoding.UTF8, contentType));
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode >= 400) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>The answer without what differs between any two requests: a problem's trace id.</summary>
    private static string? Comparable(JsonNode? body)
    {
        if (body is JsonObject problem) problem.Remove("traceId");
        return body?.ToJsonString();
    }
}
