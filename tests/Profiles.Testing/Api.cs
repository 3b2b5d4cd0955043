using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Testing;

/// <summary>The calls of the HTTP API (docs/API.md) as a test makes them. <see cref="Client"/> makes the typed calls,
/// as the import and the benchmark do; the other members answer the status and the parsed body, for assertions on the
/// exact wire shape, and <see cref="PostAsync"/> sends any body, a malformed one included. All go through one
/// HttpClient.</summary>
/// <param name="http">The node's client.</param>
/// <param name="retryUnavailable">Reads answered 503 are sent again, for up to about 10 s, as the answer's detail tells
/// a client to: for checking what a cluster holds once it has been through a fault, not for timing it.</param>
/// <param name="serverLog">The last lines the node wrote, when the test runs it: a failure the node answered with a 5xx
/// shows them, since the answer itself names no cause.</param>
public sealed class Api(HttpClient http, bool retryUnavailable = false, Func<string>? serverLog = null)
{
    public ProfilesHttpClient Client { get; } = new(http);

    /// <summary>The same calls, reads answered 503 sent again for up to about 10 s.</summary>
    public Api RetryingUnavailable() => new(http, retryUnavailable: true, serverLog);

    /// <summary>Sends touchpoints typed, as the import and the benchmark do, and checks that the node took the request.</summary>
    public async Task<TouchpointResult[]> IngestAsync(IReadOnlyList<TouchpointInput> touchpoints)
    {
        var answer = await Client.IngestAsync(touchpoints);
        Assert.True(answer.Succeeded, answer.Succeeded ? null : Unexpected(answer.Call, answer.Status, answer.Problem.Detail));
        return answer.Value;
    }

    /// <summary>Sends <paramref name="body"/> as JSON, whatever it holds, and checks that the node took the request.</summary>
    public async Task<JsonArray> IngestAsync(object body)
    {
        var (status, json) = await PostAsync(JsonSerializer.Serialize(body));
        Assert.True(status == HttpStatusCode.OK, Unexpected($"POST /{ApiPaths.Touchpoints}", status, json));
        return json!.AsArray();
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string body, string contentType = "application/json")
    {
        using var response = await http.PostAsync(ApiPaths.Touchpoints, new StringContent(body, Encoding.UTF8, contentType));
        return (response.StatusCode, await BodyOf(response));
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path) => ReadAsync(async () =>
    {
        using var response = await http.GetAsync(path);
        return (Status: response.StatusCode, Body: await BodyOf(response));
    }, answer => answer.Status);

    /// <summary>Sends one touchpoint, checks that it was accepted, and answers the profile it landed on.</summary>
    public async Task<string> LandAsync(JsonObject touchpoint)
    {
        var result = (await IngestAsync(new[] { touchpoint }))[0]!;
        Assert.Equal("accepted", (string?)result["status"]);
        return (string)result["profileId"]!;
    }

    public Task<JsonNode> LookupAsync(string type, string value) => LookupAsync(new IdentifierInput(type, value));

    public async Task<JsonNode> LookupAsync(IdentifierInput identifier)
    {
        var (status, body) = await GetAsync(ApiPaths.Lookup(identifier));
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
            var page = await ReadAsync(() => Client.GetJourneyAsync(profileId, limit, cursor), answer => answer.Status);
            Assert.True(page.Succeeded, page.Succeeded ? null : Unexpected($"journey of {profileId}", page.Status, page.Problem.Detail));
            ids.AddRange(page.Value.Items.Select(i => i.Id));
            cursor = page.Value.NextCursor;
        } while (cursor is not null);
        return ids;
    }

    private async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, HttpStatusCode> statusOf)
    {
        for (var attempt = 1; ; attempt++)
        {
            var answer = await read();
            if (statusOf(answer) != HttpStatusCode.ServiceUnavailable || !retryUnavailable || attempt == 20) return answer;
            await Task.Delay(500);
        }
    }

    private string Unexpected(string call, HttpStatusCode status, JsonNode? body) => Unexpected(call, status, body?.ToJsonString());

    private string Unexpected(string call, HttpStatusCode status, string? body) =>
        $"{call} answered {(int)status} {status}: {body}" +
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
