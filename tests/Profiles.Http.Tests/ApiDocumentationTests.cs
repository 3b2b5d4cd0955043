using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Profiles.Http.Tests;

/// <summary>
/// docs/API.md and the OpenAPI document the node serves name the same calls, so neither can drift from the other.
/// <para>
/// The rule. A route is a pair (METHOD, path) with the path spelled as the OpenAPI document spells it, parameters
/// included (<c>/v1/audiences/{name}/members</c>). API.md names a route with a code span that starts with the method,
/// one space and the path: <c>`GET /v1/profiles/{profileId}/journey?limit=N&amp;cursor=C`</c>; whatever follows a
/// <c>?</c> (the query) is left out, and the rest must equal the OpenAPI path character for character, so a
/// parameter named differently (<c>{id}</c> for <c>{profileId}</c>) is not the same route.
/// </para>
/// <list type="bullet">
/// <item>Every operation of the OpenAPI document is named in a heading of API.md (a line starting with <c>#</c>,
/// outside code blocks): each call has a section of its own.</item>
/// <item>Every route under <c>/v1</c> that API.md names, in a heading or anywhere else (the role table, a sentence),
/// is an operation of the OpenAPI document, so a removed or renamed call cannot linger in the docs. Routes outside
/// <c>/v1</c> (health, metrics, the pages) are not in the OpenAPI document and are not checked.</item>
/// </list>
/// </summary>
[Collection(NodeCollection.Name)]
public partial class ApiDocumentationTests(NodeFixture node)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private readonly HttpClient _http = node.CreateClient();

    [Fact]
    public async Task Every_call_of_the_OpenAPI_document_has_a_heading_in_API_md()
    {
        var served = await OpenApiRoutesAsync();
        var headings = DocumentedRoutes(headingsOnly: true);

        var missing = served.Except(headings).ToList();

        Assert.True(missing.Count == 0,
            $"docs/API.md has no heading naming these calls of /openapi/v1.json (add a section \"### `METHOD /path`\" for each):\n{List(missing)}");
    }

    [Fact]
    public async Task Every_v1_call_API_md_names_is_in_the_OpenAPI_document()
    {
        var served = await OpenApiRoutesAsync();
        var named = DocumentedRoutes(headingsOnly: false).Where(r => r.Path.StartsWith("/v1/", StringComparison.Ordinal)).ToHashSet();

        var unknown = named.Except(served).ToList();

        Assert.NotEmpty(named);
        Assert.True(unknown.Count == 0,
            $"docs/API.md names these calls, which /openapi/v1.json does not have (removed, renamed, or a parameter spelled differently):\n{List(unknown)}");
    }

    [Fact]
    public void The_rule_reads_methods_paths_and_queries_from_headings_and_skips_code_blocks()
    {
        const string markdown = """
            ### `GET /v1/things/{thingId}/parts?limit=N&cursor=C` (role `read`)
            ### `POST /v1/things/{thingId}/a` and `POST /v1/things/{thingId}/b`
            ## Things
            A `DELETE` of a thing, and `GET /v1/things` in a sentence.
            ```
            # `PUT /v1/not/a/heading`
            ```
            """;

        Assert.Equal(
            new Route[] { new("GET", "/v1/things/{thingId}/parts"), new("POST", "/v1/things/{thingId}/a"), new("POST", "/v1/things/{thingId}/b") },
            RoutesIn(markdown, headingsOnly: true).ToArray());
        Assert.Contains(new Route("GET", "/v1/things"), RoutesIn(markdown, headingsOnly: false));
        Assert.DoesNotContain(new Route("PUT", "/v1/not/a/heading"), RoutesIn(markdown, headingsOnly: false));
    }

    private async Task<HashSet<Route>> OpenApiRoutesAsync()
    {
        using var response = await _http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]!.AsObject();
        var routes = paths
            .SelectMany(path => path.Value!.AsObject()
                .Where(operation => Methods.Contains(operation.Key))
                .Select(operation => new Route(operation.Key.ToUpperInvariant(), path.Key)))
            .ToHashSet();
        Assert.NotEmpty(routes);
        return routes;
    }

    private static HashSet<Route> DocumentedRoutes(bool headingsOnly) =>
        RoutesIn(File.ReadAllText(ApiMarkdownPath()), headingsOnly).ToHashSet();

    /// <summary>The routes named by code spans "`METHOD /path...`" in <paramref name="markdown"/>, in order; only in
    /// headings when <paramref name="headingsOnly"/>. Lines inside fenced code blocks are never read.</summary>
    private static IEnumerable<Route> RoutesIn(string markdown, bool headingsOnly)
    {
        var inCode = false;
        foreach (var line in markdown.Split('\n'))
        {
            var text = line.TrimEnd('\r');
            if (text.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }
            if (inCode || (headingsOnly && !text.StartsWith('#'))) continue;
            foreach (Match span in RouteSpan().Matches(text)) yield return new Route(span.Groups["method"].Value, span.Groups["path"].Value);
        }
    }

    /// <summary>docs/API.md, found from the test's output directory by walking up to the directory of Profiles.sln.</summary>
    private static string ApiMarkdownPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Profiles.sln"))) return Path.Combine(directory.FullName, "docs", "API.md");
        }
        throw new InvalidOperationException($"No directory above {AppContext.BaseDirectory} holds Profiles.sln.");
    }

    private static string List(IEnumerable<Route> routes) =>
        string.Join("\n", routes.Order().Select(r => $"  {r}"));

    /// <summary>A code span starting with an HTTP method, one space and a path; the path ends at a '?', a space or the
    /// closing backtick.</summary>
    [GeneratedRegex(@"`(?<method>GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) (?<path>/[^`?\s]*)[^`]*`")]
    private static partial Regex RouteSpan();

    public readonly record struct Route(string Method, string Path) : IComparable<Route>
    {
        public int CompareTo(Route other) =>
            string.CompareOrdinal(Path, other.Path) is var byPath and not 0 ? byPath : string.CompareOrdinal(Method, other.Method);

        public override string ToString() => $"{Method} {Path}";
    }
}
