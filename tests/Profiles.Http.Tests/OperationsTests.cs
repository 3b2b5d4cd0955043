using System.Net;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>Operating a node (docs/API.md): /metrics, the OpenAPI document and its page, the clienteling page.</summary>
[Collection(NodeCollection.Name)]
public class OperationsTests(NodeFixture node)
{
    private readonly HttpClient _http = node.CreateClient();
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Metrics_show_touchpoints_by_result_latency_histograms_and_activations_without_identifiers()
    {
        var api = new Api(_http);
        var email = $"metrics.{_run}@example.com";
        var results = await api.IngestAsync(new JsonObject
        {
            ["id"] = $"{_run}-m",
            ["channel"] = "web",
            ["type"] = "login",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "email", ["value"] = email }),
        });
        var profileId = (string)results[0]!["profileId"]!;
        await api.LookupAsync("email", email);
        await api.GetAsync($"/v1/profiles/{profileId}");

        // The exporter may answer from a cache of a few hundred milliseconds.
        string text = "";
        for (var i = 0; i < 25 && !(text.Contains("profiles_lookup_duration_seconds_count{") && text.Contains("/v1/profiles/{profileId}")); i++)
        {
            await Task.Delay(200);
            using var response = await _http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
            text = await response.Content.ReadAsStringAsync();
        }

        Assert.Contains("# TYPE profiles_touchpoints_total counter", text);
        Assert.Contains("profiles_touchpoints_total{otel_scope_name=\"Profiles\",result=\"accepted\"}", text);
        Assert.Contains("# TYPE profiles_ingest_duration_seconds histogram", text);
        Assert.Contains("profiles_ingest_duration_seconds_bucket{otel_scope_name=\"Profiles.Http\",route=\"/v1/touchpoints\",status_code=\"200\",le=\"0.0005\"}", text);
        Assert.Contains("le=\"5\"", text);
        Assert.Contains("# TYPE profiles_lookup_duration_seconds histogram", text);
        Assert.Contains("route=\"/v1/profiles/lookup\"", text);
        Assert.Contains("route=\"/v1/profiles/{profileId}\"", text);
        Assert.Contains("orleans_catalog_activations{", text);
        Assert.Contains("orleans_grains{", text);
        Assert.DoesNotContain(email, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(profileId, text);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_call_of_the_API()
    {
        using var response = await _http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]!.AsObject();

        Assert.NotNull(paths["/v1/touchpoints"]?["post"]);
        Assert.NotNull(paths["/v1/profiles/lookup"]?["get"]);
        Assert.NotNull(paths["/v1/profiles/{profileId}"]?["get"]);
        Assert.NotNull(paths["/v1/profiles/{profileId}"]?["delete"]);
        Assert.NotNull(paths["/v1/profiles/{profileId}/journey"]?["get"]);
        Assert.NotNull(paths["/v1/profiles/live"]?["get"]);
        Assert.Contains("'ingest'", (string?)paths["/v1/touchpoints"]!["post"]!["description"]);
    }

    [Fact]
    public async Task The_API_reference_page_is_served_with_no_script_from_elsewhere()
    {
        using var response = await _http.GetAsync("/openapi");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/openapi.js", html);
        Assert.DoesNotContain("https://", html);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task GET_slash_serves_the_clienteling_page_and_its_modules()
    {
        using var page = await _http.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"app.js\"></script>", html);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());

        foreach (var module in new[] { "app.js", "api.js", "live.js", "format.js", "keys.js", "dom.js", "dashboard.js" })
        {
            using var script = await _http.GetAsync($"/{module}");
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
            var code = await script.Content.ReadAsStringAsync();
            Assert.DoesNotContain(".innerHTML", code);
            Assert.DoesNotContain(".outerHTML", code);
            Assert.DoesNotContain("insertAdjacentHTML", code);
        }
        using var style = await _http.GetAsync("/style.css");
        Assert.Equal(HttpStatusCode.OK, style.StatusCode);
    }

    [Fact]
    public async Task GET_dashboard_serves_the_dashboard_with_its_chart_library_from_the_node_itself()
    {
        using var page = await _http.GetAsync("/dashboard");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"dashboard.js\"></script>", html);
        Assert.DoesNotContain("https://", html);
        Assert.Contains("style-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());

        foreach (var (path, type) in new[] { ("/vendor/uplot/uPlot.esm.js", "text/javascript"), ("/vendor/uplot/uPlot.min.css", "text/css"), ("/vendor/uplot/LICENSE.txt", "text/plain"), ("/dashboard.css", "text/css") })
        {
            using var file = await _http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal(type, file.Content.Headers.ContentType?.MediaType);
        }
        using var link = await _http.GetAsync("/");
        Assert.Contains("href=\"/dashboard\"", await link.Content.ReadAsStringAsync());
    }
}
