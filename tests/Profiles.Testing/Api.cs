using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Profiles.Testing;

/// <summary>The calls of the HTTP API (docs/API.md), as a client makes them, returning status and parsed body.</summary>
/// <param name="http">The node's client.</param>
/// <param name="retryUnavailable">Reads answered 503 are sent again, for up to about 10 s, as the answer's detail tells
/// a client to: for checking what a cluster holds once it has been through a fault, not for timing it.</param>
/// <param name="serverLog">The last lines the node wrote, when the test runs it: a failure the node answered with a 5xx
/// shows them, since the answer itself names no cause.</param>
public sealed class Api(HttpClient http, bool retryUnavailable = false, Func<string>? serverLog = null)
{
    /// <summary>The same calls, reads answered 503 sent again for up to about 10 s.</summary>
    public Api RetryingUnavailable() => new(http, retryUnavailable: true, serverLog);

    public async Task<JsonArray> IngestAsync(object body)
    {
        var (status, json) = await PostAsync(JsonSerializer.Serialize(body));
        Assert.True(status == HttpStatusCode.OK, Unexpected("POST /v1/touchpoints", status, json));
        return json!.AsArray();
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string body, string contentType = "application/json")
    {
        using var response = await http.PostAsync("/v1/touchpoints", new StringContent(body, Encoding.UTF8, contentType));
        return (response.StatusCode, await BodyOf(response));
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await http.GetAsync(path);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || !retryUnavailable || attempt == 20)
            {
                return (response.StatusCode, await BodyOf(response));
            }
            await Task.Delay(500);
        }
    }

    public Task<JsonNode> LookupAsync(string type, string value) => LookupAsync(new IdentifierSpec(type, value));

    public async Task<JsonNode> LookupAsync(IdentifierSpec identifier)
    {
        var (status, body) = await GetAsync($"/v1/profiles/lookup?{identifier.Query}");
        Assert.True(status == HttpStatusCode.OK, Unexpected($"lookup {identifier.Type}", status, body));
        return body!;
    }

    /// <summary>Every journey item id, newest first, following nextCursor.</summary>
    public async Task<List<string>> JourneyIdsAsync(string profileId, int limit = 50)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var (status, page) = await GetAsync($"/v1/profiles/{profileId}/journey?limit={limit}" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.True(status == HttpStatusCode.OK, Unexpected($"journey of {profileId}", status, page));
            ids.AddRange(page!["items"]!.AsArray().Select(i => (string)i!["id"]!));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);
        return ids;
    }

    private string Unexpected(string call, HttpStatusCode status, JsonNode? body) =>
        $"{call} answered {(int)status} {status}: {body?.ToJsonString()}" +
        ((int)status >= 500 && serverLog is not null ? $"\nThe node's last lines:\n{serverLog()}" : "");

    private static async Task<JsonNode?> BodyOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }
}
