using System.Net;
using System.Text;
using System.Text.Json.Nodes;

using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>Contract section 2: POST /v1/touchpoints, its results and its errors.</summary>
[Collection(NodeCollection.Name)]
public class TouchpointsApiTests(NodeFixture node)
{
    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task One_touchpoint_object_answers_one_accepted_result_with_its_profile()
    {
        var results = await _api.IngestAsync(Touchpoint($"{_run}-one", ("email", $"one.{_run}@example.com")));

        var result = Assert.Single(results)!;
        Assert.Equal($"{_run}-one", (string?)result["id"]);
        Assert.Equal("accepted", (string?)result["status"]);
        Assert.False(string.IsNullOrEmpty((string?)result["profileId"]));
        Assert.Null(result["error"]);
    }

    [Fact]
    public async Task A_bad_touchpoint_in_a_batch_of_1000_rejects_that_one_alone()
    {
        var batch = Enumerable.Range(0, 1000)
            .Select(n => n == 500
                ? new JsonObject { ["id"] = $"{_run}-bad", ["channel"] = "web", ["type"] = "page_view",
                    ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "phone", ["value"] = "12" }) }
                : Touchpoint($"{_run}-{n}", ("cookie", $"{_run}-c{n % 100}")))
            .ToArray();

        var results = await _api.IngestAsync(batch);

        Assert.Equal(1000, results.Count);
        Assert.Equal("rejected", (string?)results[500]!["status"]);
        Assert.Equal($"{_run}-bad", (string?)results[500]!["id"]);
        Assert.StartsWith("identifiers[0].value:", (string?)results[500]!["error"]);
        Assert.All(results.Where((_, i) => i != 500), r => Assert.Equal("accepted", (string?)r!["status"]));
        Assert.Equal(10, (int)(await _api.LookupAsync("cookie", $"{_run}-c1"))["touchpoints"]!);
        Assert.Equal(9, (int)(await _api.LookupAsync("cookie", $"{_run}-c0"))["touchpoints"]!); // the 500th was the bad one
    }

    [Fact]
    public async Task Re_sending_a_request_answers_duplicate_and_counts_nothing_twice()
    {
        var body = new[] { Touchpoint($"{_run}-a", ("email", $"r.{_run}@example.com")), Touchpoint($"{_run}-b", ("email", $"r.{_run}@example.com")) };
        await _api.IngestAsync(body);

        var again = await _api.IngestAsync(body);

        Assert.All(again, r => Assert.Equal("duplicate", (string?)r!["status"]));
        Assert.Equal(2, (int)(await _api.LookupAsync("email", $"r.{_run}@example.com"))["touchpoints"]!);
    }

    [Fact]
    public async Task Without_an_id_a_retry_is_recognised_by_its_content()
    {
        var body = new JsonObject { ["channel"] = "web", ["type"] = "page_view",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "cookie", ["value"] = $"{_run}-anon" }) };

        var first = Assert.Single(await _api.IngestAsync(body))!;
        var retry = Assert.Single(await _api.IngestAsync(body))!;

        Assert.Equal("accepted", (string?)first["status"]);
        Assert.Equal("duplicate", (string?)retry["status"]);
        Assert.Equal((string?)first["id"], (string?)retry["id"]);
        Assert.Equal(1, (int)(await _api.LookupAsync("cookie", $"{_run}-anon"))["touchpoints"]!);
    }

    [Theory]
    [InlineData("""{"type":"page_view","identifiers":[{"type":"cookie","value":"c"}]}""", "channel:")]
    [InlineData("""{"channel":"Web!","type":"page_view","identifiers":[{"type":"cookie","value":"c"}]}""", "channel:")]
    [InlineData("""{"channel":"web","identifiers":[{"type":"cookie","value":"c"}]}""", "type:")]
    [InlineData("""{"channel":"web","type":"page view","identifiers":[{"type":"cookie","value":"c"}]}""", "type:")]
    [InlineData("""{"channel":"web","type":"page_view"}""", "identifiers:")]
    [InlineData("""{"channel":"web","type":"page_view","identifiers":[]}""", "identifiers:")]
    [InlineData("""{"channel":"web","type":"page_view","identifiers":[{"type":"email","value":"not-an-email"}]}""", "identifiers[0].value:")]
    [InlineData("""{"channel":"web","type":"page_view","identifiers":[{"type":"phone","value":"123"}]}""", "identifiers[0].value:")]
    [InlineData("""{"channel":"web","type":"page_view","identifiers":[{"type":"email","sha256":"abc"}]}""", "identifiers[0].sha256:")]
    [InlineData("""{"channel":"web","type":"page_view","identifiers":[{"type":"Email","value":"a@b.co"}]}""", "identifiers[0].type:")]
    [InlineData("""{"channel":"web","type":"page_view","occurredAt":"yesterday","identifiers":[{"type":"cookie","value":"c"}]}""", "occurredAt:")]
    [InlineData("""{"channel":"web","type":"page_view","occurredAt":"2026-11-22T10:15:00","identifiers":[{"type":"cookie","value":"c"}]}""", "occurredAt:")]
    [InlineData("""{"channel":"web","type":"page_view","occurredAt":"2099-01-01T00:00:00Z","identifiers":[{"type":"cookie","value":"c"}]}""", "occurredAt:")]
    [InlineData("""{"id":"","channel":"web","type":"page_view","identifiers":[{"type":"cookie","value":"c"}]}""", "id:")]
    [InlineData("""{"channel":"web","type":"page_view","traits":{"tags":["a"]},"identifiers":[{"type":"cookie","value":"c"}]}""", "traits.tags:")]
    [InlineData("""{"channel":"web","type":"page_view","properties":[1],"identifiers":[{"type":"cookie","value":"c"}]}""", "properties:")]
    [InlineData("""42""", "touchpoint must be a JSON object")]
    public async Task Each_bad_field_is_rejected_with_an_error_naming_it(string touchpoint, string errorStart)
    {
        var (status, body) = await _api.PostAsync($"[{touchpoint}]");

        Assert.Equal(HttpStatusCode.OK, status);
        var result = Assert.Single(body!.AsArray())!;
        Assert.Equal("rejected", (string?)result["status"]);
        Assert.StartsWith(errorStart, (string?)result["error"]);
    }

    [Fact]
    public async Task Properties_over_16_KiB_are_rejected()
    {
        var big = Touchpoint($"{_run}-big", ("cookie", "c"));
        big["properties"] = new JsonObject { ["blob"] = new string('x', 17 * 1024) };

        var result = Assert.Single(await _api.IngestAsync(big))!;

        Assert.Equal("rejected", (string?)result["status"]);
        Assert.StartsWith("properties:", (string?)result["error"]);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        var (status, body) = await _api.PostAsync("""[{"channel": "web",""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not valid JSON", (string?)body!["detail"]);
    }

    [Fact]
    public async Task More_than_1000_touchpoints_is_a_400_problem()
    {
        var body = "[" + string.Join(",", Enumerable.Repeat("""{"channel":"web","type":"x","identifiers":[{"type":"cookie","value":"c"}]}""", 1001)) + "]";

        var (status, problem) = await _api.PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("1000", (string?)problem!["detail"]);
    }

    [Theory]
    [InlineData("\"just a string\"")]
    [InlineData("null")]
    public async Task A_body_that_is_neither_object_nor_array_is_a_400_problem(string body)
    {
        var (status, _) = await _api.PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_a_413_problem()
    {
        var body = "[" + new string(' ', (int)NodeFixture.MaxRequestBytes) + "]";

        var (status, problem) = await _api.PostAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.NotNull((string?)problem!["detail"]);
    }

    [Fact]
    public async Task A_body_not_sent_as_json_is_a_415_problem()
    {
        var (status, _) = await _api.PostAsync("{}", "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
    }

    private static JsonObject Touchpoint(string id, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make(id, "web", "page_view", null, identifiers);
}
