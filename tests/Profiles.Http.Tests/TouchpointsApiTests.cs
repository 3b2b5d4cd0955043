using System.Net;
using System.Text;
using System.Text.Json.Nodes;

using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>Touchpoints in (docs/API.md): POST /v1/touchpoints, its results and its errors.</summary>
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
    [InlineData("""{"channel":"web","type":"page_view","identifiers":[{"type":"Email","value":"a@b.co"}]}""", "identifiers[0].type:")]
    [InlineData("""{"channel":"web","type":"page_view","identifiers":[{"type":"cookie","value":"c"},{"type":"Email","value":"a@b.co"}]}""", "identifiers[1].type:")]
    [InlineData("""{"channel":"web","type":"page_view","identifiers":[{"type":"cookie","value":"c"},{"type":"email"}]}""", "identifiers[1]:")]
    [InlineData("""{"channel":"web","type":"page_view","identifiers":[{"type":"cookie","value":"c"},"a@b.co"]}""", "identifiers[1]:")]
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

    public static TheoryData<string, string, string, string> InvalidIdentifiers => new()
    {
        { "phone", "06 12 34 56 7", "identifiers[0].value", "is not a valid phone number" },
        { "email", "paul.martin@example", "identifiers[0].value", "is not a plausible e-mail address" },
        { "email", "", "identifiers[0].value", "must not be empty" },
        { "sha256:email", "abc", "identifiers[0].sha256", "must be 64 hexadecimal characters (a SHA-256)" },
    };

    [Theory]
    [MemberData(nameof(InvalidIdentifiers))]
    public async Task An_invalid_identifier_alone_is_rejected_naming_the_field_and_why(string type, string value, string field, string detail)
    {
        var result = Assert.Single(await _api.IngestAsync(Touchpoint($"{_run}-alone", Identifier(type, value))))!;

        Assert.Equal("rejected", (string?)result["status"]);
        Assert.Equal($"{_run}-alone", (string?)result["id"]);
        Assert.Equal($"{field}: {detail}", (string?)result["error"]);
        Assert.Null(result["profileId"]);
    }

    [Theory]
    [MemberData(nameof(InvalidIdentifiers))]
    public async Task An_invalid_identifier_beside_a_good_one_is_left_out_and_the_touchpoint_lands_on_the_good_ones_profile(
        string type, string value, string field, string detail)
    {
        var good = new JsonObject { ["type"] = "cookie", ["value"] = $"{_run}-good" };

        var result = Assert.Single(await _api.IngestAsync(Touchpoint($"{_run}-beside", Identifier(type, value), good)))!;

        Assert.Equal("accepted", (string?)result["status"]);
        var profile = await _api.LookupAsync("cookie", $"{_run}-good");
        Assert.Equal((string?)profile["profileId"], (string?)result["profileId"]);
        Assert.Equal(1, (int)profile["touchpoints"]!);
        Assert.Equal(["cookie"], profile["identifiers"]!.AsArray().Select(i => (string?)i!["type"]));
        var ignored = Assert.Single(Assert.IsType<JsonArray>(result["ignored"]))!.AsObject();
        Assert.Equal(["field", "reason", "detail"], ignored.Select(p => p.Key));
        Assert.Equal((field, "invalid", detail), ((string?)ignored["field"], (string?)ignored["reason"], (string?)ignored["detail"]));
    }

    [Fact]
    public async Task A_store_purchase_with_a_loyalty_card_and_a_mistyped_phone_lands_on_the_cards_profile()
    {
        var card = $"FR-{_run}";
        var visitAt = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.FromHours(1));
        var known = Assert.Single(await _api.IngestAsync(TouchpointJson.Make($"{_run}-visit", "store", "store_visit", visitAt, ("loyalty_id", card))))!;

        var purchase = TouchpointJson.Make($"{_run}-pos", "store", "purchase", visitAt.AddMinutes(15), ("loyalty_id", card), ("phone", "06 12 34 56 7"));
        purchase["properties"] = new JsonObject { ["storeId"] = "LYON-2", ["amount"] = 89.90, ["currency"] = "EUR" };
        var result = Assert.Single(await _api.IngestAsync(purchase))!;

        Assert.Equal("accepted", (string?)result["status"]);
        Assert.Equal((string?)known["profileId"], (string?)result["profileId"]);
        var ignored = Assert.Single(Assert.IsType<JsonArray>(result["ignored"]))!;
        Assert.Equal(("identifiers[1].value", "invalid", "is not a valid phone number"),
            ((string?)ignored["field"], (string?)ignored["reason"], (string?)ignored["detail"]));
        var profile = await _api.LookupAsync("loyalty_id", card);
        Assert.Equal(2, (int)profile["touchpoints"]!);
        Assert.Equal([$"{_run}-pos", $"{_run}-visit"], await _api.JourneyIdsAsync((string)profile["profileId"]!));
    }

    [Fact]
    public async Task Without_an_id_a_retry_of_a_touchpoint_with_an_invalid_identifier_is_recognised()
    {
        var body = new JsonObject { ["channel"] = "store", ["type"] = "purchase",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "loyalty_id", ["value"] = $"FR-{_run}" }, new JsonObject { ["type"] = "phone", ["value"] = "12" }) };

        var first = Assert.Single(await _api.IngestAsync(body))!;
        var retry = Assert.Single(await _api.IngestAsync(body))!;

        Assert.Equal(("accepted", "duplicate"), ((string?)first["status"], (string?)retry["status"]));
        Assert.Equal((string?)first["id"], (string?)retry["id"]);
        Assert.Equal("identifiers[1].value", (string?)retry["ignored"]![0]!["field"]);
        Assert.Equal(1, (int)(await _api.LookupAsync("loyalty_id", $"FR-{_run}"))["touchpoints"]!);
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

    private static JsonObject Touchpoint(string id, params JsonObject[] identifiers)
    {
        var touchpoint = TouchpointJson.Make(id, "web", "page_view", null);
        touchpoint["identifiers"] = new JsonArray([.. identifiers]);
        return touchpoint;
    }

    /// <summary><c>{ type, value }</c>, or <c>{ type, sha256 }</c> for a type written <c>sha256:TYPE</c>.</summary>
    private static JsonObject Identifier(string type, string value) =>
        type.StartsWith("sha256:", StringComparison.Ordinal)
            ? new JsonObject { ["type"] = type["sha256:".Length..], ["sha256"] = value }
            : new JsonObject { ["type"] = type, ["value"] = value };
}
