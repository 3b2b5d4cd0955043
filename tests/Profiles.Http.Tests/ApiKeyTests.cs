using Profiles.Testing;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Profiles.Silo.Operations;

namespace Profiles.Http.Tests;

/// <summary>API keys and roles (docs/API.md, "Operating a node"): 401 without a valid key, 403 without the role.</summary>
[Collection(KeyedNodeCollection.Name)]
public class ApiKeyTests(KeyedNodeFixture node)
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    public static TheoryData<string, string> ApiCalls => new()
    {
        { "POST", "/v1/touchpoints" },
        { "GET", "/v1/profiles/lookup?type=email&value=someone%40example.com" },
        { "POST", "/v1/profiles/lookup" },
        { "GET", "/v1/profiles/01a21b3e0ed2a1fcaae8e2c8a333" },
        { "GET", "/v1/profiles/01a21b3e0ed2a1fcaae8e2c8a333/journey" },
        { "GET", "/v1/profiles/live?type=email&value=someone%40example.com" },
        { "GET", "/v1/profiles/01a21b3e0ed2a1fcaae8e2c8a333/live" },
        { "DELETE", "/v1/profiles/01a21b3e0ed2a1fcaae8e2c8a333" },
        { "GET", "/v1/stats" },
        { "GET", "/v1/stats/history" },
        { "POST", "/v1/stats/recount" },
        { "GET", "/v1/anything-else" },
        { "POST", "/V1/TOUCHPOINTS" },
        { "POST", "/v1//touchpoints/" },
    };

    [Theory]
    [MemberData(nameof(ApiCalls))]
    public async Task Without_a_key_every_call_of_the_API_answers_401_problem_json(string method, string path)
    {
        using var client = node.ClientWith(null);

        using var response = await SendAsync(client, method, path);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Theory]
    [InlineData("Bearer", "not-a-key")]
    [InlineData("Bearer", "ingest-secret-7f3")]
    [InlineData("Basic", KeyedNodeFixture.AdminKey)]
    [InlineData("Bearer", "")]
    public async Task A_wrong_key_or_scheme_answers_401(string scheme, string key)
    {
        using var client = node.ClientWith(key, scheme);

        using var response = await client.GetAsync("/v1/profiles/lookup?type=email&value=someone%40example.com");

        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        if (key.Length > 0) Assert.DoesNotContain(key, problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_without_the_role_answers_403_naming_the_role()
    {
        using var reader = node.ClientWith(KeyedNodeFixture.ReadKey);
        using var ingester = node.ClientWith(KeyedNodeFixture.IngestKey);

        using var post = await reader.PostAsync("/v1/touchpoints", Json(Touchpoint($"{_run}-r", $"r.{_run}@example.com")));
        using var get = await ingester.GetAsync("/v1/profiles/lookup?type=email&value=someone%40example.com");
        using var lookup = await ingester.PostAsync("/v1/profiles/lookup", Json(new JsonObject { ["type"] = "email", ["value"] = "someone@example.com" }));
        using var live = await ingester.GetAsync("/v1/profiles/live?type=email&value=someone%40example.com");
        using var delete = await reader.DeleteAsync("/v1/profiles/01a21b3e0ed2a1fcaae8e2c8a333");
        using var history = await ingester.GetAsync("/v1/stats/history");
        using var recount = await reader.PostAsync("/v1/stats/recount", content: null);

        Assert.Contains("'ingest'", (string?)(await AssertProblemAsync(post, HttpStatusCode.Forbidden))["detail"]);
        Assert.Contains("'read'", (string?)(await AssertProblemAsync(get, HttpStatusCode.Forbidden))["detail"]);
        Assert.Contains("'read'", (string?)(await AssertProblemAsync(lookup, HttpStatusCode.Forbidden))["detail"]);
        Assert.Contains("'read'", (string?)(await AssertProblemAsync(live, HttpStatusCode.Forbidden))["detail"]);
        Assert.Contains("'erase'", (string?)(await AssertProblemAsync(delete, HttpStatusCode.Forbidden))["detail"]);
        Assert.Contains("'read'", (string?)(await AssertProblemAsync(history, HttpStatusCode.Forbidden))["detail"]);
        Assert.Contains("'admin'", (string?)(await AssertProblemAsync(recount, HttpStatusCode.Forbidden))["detail"]);
    }

    [Fact]
    public async Task Each_role_opens_its_calls()
    {
        using var ingester = node.ClientWith(KeyedNodeFixture.IngestKey);
        using var reader = node.ClientWith(KeyedNodeFixture.ReadKey, "bearer"); // the scheme is case-insensitive
        using var eraser = node.ClientWith(KeyedNodeFixture.EraseKey);
        var email = $"roles.{_run}@example.com";

        using var post = await ingester.PostAsync("/v1/touchpoints", Json(Touchpoint($"{_run}-a", email)));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var profileId = (string)JsonNode.Parse(await post.Content.ReadAsStringAsync())![0]!["profileId"]!;

        using var lookup = await reader.GetAsync($"/v1/profiles/lookup?type=email&value={Uri.EscapeDataString(email)}");
        using var lookupByBody = await reader.PostAsync("/v1/profiles/lookup", Json(new JsonObject { ["type"] = "email", ["value"] = email }));
        using var byId = await reader.GetAsync($"/v1/profiles/{profileId}");
        using var journey = await reader.GetAsync($"/v1/profiles/{profileId}/journey");
        Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
        Assert.Equal(HttpStatusCode.OK, lookupByBody.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        Assert.Equal(HttpStatusCode.OK, journey.StatusCode);

        using var erase = await eraser.DeleteAsync($"/v1/profiles/{profileId}");
        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);

        using var stats = await reader.GetAsync("/v1/stats");
        using var history = await reader.GetAsync("/v1/stats/history");
        using var ops = node.ClientWith(KeyedNodeFixture.OperatorKey);
        using var recount = await ops.PostAsync("/v1/stats/recount", content: null);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        Assert.Equal(HttpStatusCode.OK, recount.StatusCode);
    }

    [Fact]
    public async Task A_key_with_several_roles_holds_each()
    {
        using var admin = node.ClientWith(KeyedNodeFixture.AdminKey);
        var email = $"admin.{_run}@example.com";

        using var post = await admin.PostAsync("/v1/touchpoints", Json(Touchpoint($"{_run}-b", email)));
        using var lookup = await admin.GetAsync($"/v1/profiles/lookup?type=email&value={Uri.EscapeDataString(email)}");

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/metrics")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/openapi")]
    [InlineData("/")]
    [InlineData("/app.js")]
    [InlineData("/dashboard")]
    [InlineData("/vendor/uplot/uPlot.esm.js")]
    public async Task Health_metrics_the_API_description_and_the_page_are_open(string path)
    {
        using var client = node.ClientWith(null);

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void Configuration_errors_stop_the_node_at_start_up()
    {
        static ApiKeys Read(params (string Key, string Value)[] settings) =>
            ApiKeys.From(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

        Assert.True(Read().IsOpen);
        Assert.Throws<InvalidOperationException>(() => Read(("Profiles:ApiKeys:a:Roles", "read")));
        Assert.Throws<InvalidOperationException>(() => Read(("Profiles:ApiKeys:a:Key", "k"), ("Profiles:ApiKeys:a:Roles", "read,superuser")));
        Assert.Throws<InvalidOperationException>(() => Read(("Profiles:ApiKeys:a:Key", "k"), ("Profiles:ApiKeys:b:Key", "k")));

        var keys = Read(("Profiles:ApiKeys:a:Key", "k1"), ("Profiles:ApiKeys:a:Roles:0", "Read"), ("Profiles:ApiKeys:a:Roles:1", "erase"),
                        ("Profiles:ApiKeys:b:Key", "k2"));
        Assert.Equal(new[] { "erase", "read" }, keys.Find("k1")!.Roles.Order());
        Assert.Empty(keys.Find("k2")!.Roles);
        Assert.Null(keys.Find("k3"));
    }

    private static async Task<JsonNode> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((int)status, (int?)problem["status"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
        return problem;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = Json(Touchpoint("k", "k@example.com"));
        return client.SendAsync(request);
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static JsonObject Touchpoint(string id, string email) => TouchpointJson.Make(id, "web", "login", null, ("email", email));
}

/// <summary>No key configured (the embedded default): the API is open.</summary>
[Collection(NodeCollection.Name)]
public class OpenApiKeyTests(NodeFixture node)
{
    [Fact]
    public async Task Without_keys_configured_the_API_is_open()
    {
        using var client = node.CreateClient();

        using var response = await client.GetAsync("/v1/profiles/lookup?type=email&value=nobody.open%40example.com");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
