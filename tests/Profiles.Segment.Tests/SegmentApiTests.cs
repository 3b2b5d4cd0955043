using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Profiles.Testing;

namespace Profiles.Segment.Tests;

/// <summary>What the door answers to what a library, a browser or a mistake sends, on the wire.</summary>
[Collection(SegmentNodesCollection.Name)]
public sealed partial class SegmentApiTests(SegmentNodes nodes)
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Events_that_cannot_be_touchpoints_are_skipped_and_counted_and_the_rest_of_the_batch_lands()
    {
        var before = await SkippedAsync();
        var batch = new JsonArray(
            Event("track", $"ck-{_run}", new JsonObject { ["event"] = "Product Viewed", ["messageId"] = $"ok-{_run}" }),
            Event("track", $"ck-{_run}", new JsonObject { ["event"] = "Big", ["properties"] = new JsonObject { ["note"] = new string('x', 33 * 1024) } }),
            new JsonObject { ["type"] = "track", ["event"] = "Nobody" },
            Event("purchase", $"ck-{_run}"),
            Event("page", $"ck-{_run}", new JsonObject { ["timestamp"] = "yesterday" }));

        using var response = await SendAsync("/v1/batch", new JsonObject { ["batch"] = batch }, SegmentNodes.WebKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"success":true}""", await response.Content.ReadAsStringAsync());
        var profile = await nodes.KeyedReader.LookupAsync("cookie", $"ck-{_run}");
        Assert.Equal(1, (int)profile["touchpoints"]!);
        Assert.Equal([$"ok-{_run}"], await nodes.KeyedReader.JourneyIdsAsync((string)profile["profileId"]!));
        var after = await SkippedAsync();
        foreach (var reason in (string[])["too_large", "no_identifier", "unknown_type", "invalid"])
        {
            Assert.Equal(before.GetValueOrDefault(reason) + 1, after.GetValueOrDefault(reason));
        }
    }

    [Fact]
    public async Task A_body_over_500_KiB_answers_413_even_when_it_travels_gzipped_small()
    {
        var events = new JsonArray([.. Enumerable.Range(0, 600).Select(i => Event("track", $"ck-{_run}", new JsonObject
        {
            ["event"] = "Filler", ["properties"] = new JsonObject { ["note"] = new string('x', 1000) },
        }))]);
        var body = new JsonObject { ["batch"] = events }.ToJsonString();

        using var plain = await SendAsync("/v1/batch", body, SegmentNodes.WebKey);
        using var gzipped = await SendAsync("/v1/batch", Gzip(body), SegmentNodes.WebKey, gzip: true);

        await AssertProblemAsync(plain, HttpStatusCode.RequestEntityTooLarge, "larger than 512000 bytes");
        Assert.True(Gzip(body).Length < 32 * 1024);
        await AssertProblemAsync(gzipped, HttpStatusCode.RequestEntityTooLarge, "larger than 512000 bytes");
        Assert.Equal(HttpStatusCode.NotFound, (await nodes.KeyedReader.GetAsync(Contracts.Http.ApiPaths.Lookup(new("cookie", $"ck-{_run}")))).Status);
    }

    [Theory]
    [InlineData("/v1/batch", "this is not JSON", "not valid JSON")]
    [InlineData("/v1/batch", """{ "batch": { "type": "track" } }""", "batch: must be an array of events")]
    [InlineData("/v1/batch", """[ { "type": "track" } ]""", "The body must be an object")]
    [InlineData("/v1/track", """[ { "type": "track" } ]""", "The body must be one event object")]
    public async Task A_body_that_is_not_such_JSON_answers_400(string path, string body, string detail)
    {
        using var response = await SendAsync(path, body, SegmentNodes.WebKey);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task Gzip_is_read_whatever_the_content_type_says_and_the_keys_channel_names_the_anonymous_id()
    {
        var body = new JsonObject { ["batch"] = new JsonArray(Event("screen", $"dev-{_run}", new JsonObject { ["name"] = "Home" })) }.ToJsonString();

        using var response = await SendAsync("/v1/batch", Gzip(body), SegmentNodes.AppKey, gzip: true, contentType: "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = await nodes.KeyedReader.LookupAsync("device_id", $"dev-{_run}");
        Assert.Equal(1, (int)profile["channels"]!["app"]!["touchpoints"]!);
    }

    [Fact]
    public async Task The_write_key_is_taken_from_basic_credentials_or_the_body_and_checked()
    {
        var segmentEvent = Event("track", $"ck-{_run}", new JsonObject { ["event"] = "Clicked", ["messageId"] = $"by-ingest-key-{_run}" });

        using var unknown = await SendAsync("/v1/t", segmentEvent, "not-a-key");
        using var none = await SendAsync("/v1/t", segmentEvent, key: null);
        using var reader = await SendAsync("/v1/t", segmentEvent, SegmentNodes.ReadKey);
        using var ingest = await SendAsync("/v1/track", segmentEvent, SegmentNodes.IngestKey);
        segmentEvent["writeKey"] = SegmentNodes.WebKey;
        segmentEvent["messageId"] = $"by-body-key-{_run}";
        using var inTheBody = await SendAsync("/v1/t", segmentEvent, key: null, contentType: "text/plain");

        await AssertProblemAsync(unknown, HttpStatusCode.Unauthorized, "not a key of this service");
        Assert.Equal("Basic", unknown.Headers.WwwAuthenticate.Single().Scheme);
        await AssertProblemAsync(none, HttpStatusCode.Unauthorized, "needs a write key");
        await AssertProblemAsync(reader, HttpStatusCode.Forbidden, "does not have the role 'collect'");
        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        Assert.Equal(HttpStatusCode.OK, inTheBody.StatusCode);
        Assert.Equal(2, (int)(await nodes.KeyedReader.LookupAsync("cookie", $"ck-{_run}"))["touchpoints"]!);
    }

    [Fact]
    public async Task A_write_key_opens_no_other_call()
    {
        using var http = nodes.Keyed.Client(SegmentNodes.WebKey);

        using var touchpoints = await http.PostAsync("/v1/touchpoints", new StringContent("[]", Encoding.UTF8, "application/json"));
        using var lookup = await http.GetAsync($"/v1/profiles/lookup?type=cookie&value=ck-{_run}");

        await AssertProblemAsync(touchpoints, HttpStatusCode.Forbidden, "does not have the role 'ingest'");
        await AssertProblemAsync(lookup, HttpStatusCode.Forbidden, "does not have the role 'read'");
    }

    [Fact]
    public async Task Browsers_of_the_keys_origins_are_answered_and_others_are_not()
    {
        using var allowed = await PreflightAsync(SegmentNodes.StorefrontOrigin);
        using var other = await PreflightAsync("http://elsewhere.test");
        using var openNode = await PreflightAsync("http://elsewhere.test", nodes.Open);

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(SegmentNodes.StorefrontOrigin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("authorization", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal("*", openNode.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    private static JsonObject Event(string type, string anonymousId, JsonObject? more = null)
    {
        var segmentEvent = new JsonObject { ["type"] = type, ["anonymousId"] = anonymousId };
        foreach (var (name, value) in more ?? []) segmentEvent[name] = value?.DeepClone();
        return segmentEvent;
    }

    private Task<HttpResponseMessage> SendAsync(string path, JsonObject body, string? key, string contentType = "application/json") =>
        SendAsync(path, body.ToJsonString(), key, contentType: contentType);

    private Task<HttpResponseMessage> SendAsync(string path, string body, string? key, string contentType = "application/json") =>
        SendAsync(path, Encoding.UTF8.GetBytes(body), key, gzip: false, contentType);

    private async Task<HttpResponseMessage> SendAsync(string path, byte[] body, string? key, bool gzip, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (gzip) request.Content.Headers.ContentEncoding.Add("gzip");
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        return await nodes.Keyed.Http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> PreflightAsync(string origin, NodeProcess? node = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/v1/t");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return await (node ?? nodes.Keyed).Http.SendAsync(request);
    }

    private static byte[] Gzip(string text)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal)) gzip.Write(Encoding.UTF8.GetBytes(text));
        return compressed.ToArray();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!);
    }

    /// <summary>profiles_segment_events_skipped_total by reason, as the keyed node's /metrics says it.</summary>
    private async Task<Dictionary<string, long>> SkippedAsync()
    {
        var text = await nodes.Keyed.Http.GetStringAsync("/metrics");
        return SkippedLine().Matches(text).ToDictionary(m => m.Groups["reason"].Value, m => long.Parse(m.Groups["count"].Value));
    }

    [GeneratedRegex("""^profiles_segment_events_skipped_total\{[^}]*reason="(?<reason>[a-z_]+)"[^}]*\} (?<count>\d+)""", RegexOptions.Multiline)]
    private static partial Regex SkippedLine();
}
