using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Profiles.Import;

/// <summary>One result of <c>POST /v1/touchpoints</c> (docs/API.md, "Touchpoints in"), as far as the import reads it.</summary>
public sealed record TouchpointResult(
    string Status,
    string? ProfileId,
    string? Error,
    IReadOnlyList<JsonElement>? Ignored,
    IReadOnlyList<JsonElement>? RefusedLinks);

/// <summary>The part of a profile (docs/API.md, "The profile") the import reads: which channels it has touchpoints on.</summary>
public sealed record ProfileChannels(string ProfileId, IReadOnlyDictionary<string, ChannelTouchpoints> Channels);

/// <summary>A channel of a profile, as far as the import reads it.</summary>
public sealed record ChannelTouchpoints(long Touchpoints);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TouchpointResult[]))]
[JsonSerializable(typeof(ProfileChannels))]
internal sealed partial class NodeJson : JsonSerializerContext;

/// <summary>
/// The node's HTTP API as the import uses it. A <c>503</c> (the node's storage is away for a moment), another
/// passing server error and a failed connection are retried with backoff, which is safe because every
/// touchpoint carries its id.
/// </summary>
public sealed class NodeClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly Backoff _backoff;
    private int _retries;

    public NodeClient(Uri target, string? key, int connections, Backoff backoff)
    {
        _backoff = backoff;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        {
            BaseAddress = target,
            Timeout = TimeSpan.FromSeconds(120),
        };
        if (key is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    /// <summary>Times a request was sent again, over the whole import.</summary>
    public int Retries => _retries;

    /// <exception cref="ImportFailedException">The node refused the batch, or kept failing.</exception>
    public async Task<TouchpointResult[]> PostTouchpointsAsync(ReadOnlyMemory<byte> body, int count, CancellationToken ct)
    {
        var results = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "v1/touchpoints") { Content = new ReadOnlyMemoryContent(body) };
            request.Content.Headers.ContentType = Json;
            return request;
        }, NodeJson.Default.TouchpointResultArray, ct);
        if (results is null || results.Length != count)
            throw new ImportFailedException($"the node answered {results?.Length ?? 0} results for {count} touchpoints");
        return results;
    }

    /// <summary>The profile, or the one it was merged into; null when it is unknown (erased meanwhile). Asks for
    /// its channels only (the <c>fields</c> parameter, docs/PERSONALISATION.md): a node that does not know the parameter answers
    /// the whole profile, which holds them too.</summary>
    public Task<ProfileChannels?> GetProfileAsync(string profileId, CancellationToken ct) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"v1/profiles/{Uri.EscapeDataString(profileId)}?fields=channels"),
            NodeJson.Default.ProfileChannels, ct);

    /// <returns>The body read as <typeparamref name="T"/>; default for a <c>404</c>.</returns>
    private async Task<T?> SendAsync<T>(Func<HttpRequestMessage> request, JsonTypeInfo<T> type, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            TimeSpan? retryAfter = null;
            try
            {
                using var message = request();
                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
                if (response.IsSuccessStatusCode)
                {
                    // Answers are small (a profile, or a batch's results): read whole, then parsed in one pass.
                    return JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(ct), type);
                }
                if (response.StatusCode == HttpStatusCode.NotFound && message.Method == HttpMethod.Get) return default;
                var detail = await ProblemDetail(response, ct);
                if (!IsPassing(response.StatusCode))
                    throw new ImportFailedException(Refusal(response.StatusCode, detail));
                failure = $"the node answered {(int)response.StatusCode} {response.StatusCode}: {detail}";
                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // Refused, reset, or cut off in the middle of the answer: the request may or may not have landed,
                // and the touchpoints' ids make sending it again safe either way.
                failure = $"cannot reach the node at {_http.BaseAddress}: {e.Message}";
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                failure = $"the node did not answer within {_http.Timeout.TotalSeconds:0} s";
            }
            catch (JsonException e)
            {
                throw new ImportFailedException($"the node's answer is not what this import understands: {e.Message}");
            }

            if (!_backoff.TryWait(attempt, retryAfter, out var wait))
                throw new ImportFailedException($"{failure} (gave up after {attempt} attempts)");
            Interlocked.Increment(ref _retries);
            await Task.Delay(wait, ct);
        }
    }

    // 503 is the node's word for "storage or a node of the cluster away for a moment"; 500 is what it answers
    // when a storage time-out left a grain's state out of date, which a retry finds fixed; 502 and 504 come
    // from a proxy in front of it. Anything else (401, 403, 413, ...) says the same again if asked again.
    private static bool IsPassing(HttpStatusCode status) => status is HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;

    private static string Refusal(HttpStatusCode status, string detail) => status switch
    {
        HttpStatusCode.Unauthorized => $"the node answered 401: give an API key with --key (or {ImportOptions.KeyVariable}): {detail}",
        HttpStatusCode.Forbidden => $"the node answered 403: the API key needs the ingest and read roles: {detail}",
        _ => $"the node answered {(int)status} {status}: {detail}",
    };

    private static async Task<string> ProblemDetail(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.ValueKind == JsonValueKind.Object &&
                problem.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                return detail.GetString()!;
        }
        catch (JsonException)
        {
        }
        return body.Length > 200 ? body[..200] : body;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>How long to wait before trying again: doubling from <see cref="First"/> up to <see cref="Longest"/>,
/// with jitter so that parallel requests do not come back at the same instant; a <c>Retry-After</c> of the
/// node is honoured up to <see cref="Longest"/>.</summary>
public sealed record Backoff(TimeSpan First, TimeSpan Longest, int Attempts)
{
    /// <summary>About 40 s of trying: a node restarting or Redis failing over comes back within that.</summary>
    public static Backoff Default { get; } = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(8), Attempts: 10);

    public bool TryWait(int attempt, TimeSpan? retryAfter, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (attempt >= Attempts) return false;
        var doubled = First * Math.Pow(2, attempt - 1);
        var jittered = doubled * (0.5 + Random.Shared.NextDouble() / 2);
        wait = TimeSpan.FromTicks(Math.Min(Math.Max(jittered.Ticks, retryAfter?.Ticks ?? 0), Longest.Ticks));
        return true;
    }
}

/// <summary>The import cannot go on; rows sent so far are in, and a re-run finishes the rest.</summary>
public sealed class ImportFailedException(string message) : Exception(message);
