using System.Net;
using System.Text.Json;
using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Import;

/// <summary>
/// The node as the import talks to it: <see cref="ProfilesHttpClient"/>, with a <c>503</c> (the node's storage is
/// away for a moment), another passing server error and a failed connection retried with backoff, which is safe
/// because every touchpoint carries its id. Any other refusal ends the import.
/// </summary>
public sealed class RetryingNode : IDisposable
{
    private readonly HttpClient _http;
    private readonly ProfilesHttpClient _node;
    private readonly Backoff _backoff;
    private int _retries;

    public RetryingNode(Uri target, string? key, int connections, Backoff backoff)
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
        _node = new ProfilesHttpClient(_http, key);
    }

    /// <summary>Times a request was sent again, over the whole import.</summary>
    public int Retries => _retries;

    /// <param name="body">The batch as <see cref="TouchpointBatches"/> wrote it.</param>
    /// <exception cref="ImportFailedException">The node refused the batch, or kept failing.</exception>
    public async Task<TouchpointResult[]> PostTouchpointsAsync(ReadOnlyMemory<byte> body, int count, CancellationToken ct)
    {
        var answer = await CallAsync(() => _node.IngestAsync(body, ct), ct);
        if (!answer.Succeeded) throw new ImportFailedException(Refusal(answer.Status, answer.Problem));
        if (answer.Value.Length != count)
            throw new ImportFailedException($"the node answered {answer.Value.Length} results for {count} touchpoints");
        return answer.Value;
    }

    /// <summary>The channels the profile, or the one it was merged into, has touchpoints on: none once it is erased.
    /// Asks for its channels only (<c>fields</c>): a node that does not know the parameter answers the whole profile,
    /// which holds them too.</summary>
    /// <exception cref="ImportFailedException">The node refused the read, or kept failing.</exception>
    public async Task<IReadOnlyCollection<string>> ChannelsOfAsync(string profileId, CancellationToken ct)
    {
        var answer = await CallAsync(() => _node.GetProfileAsync(profileId, [ProfilePart.Channels], ct), ct);
        if (answer.Status == HttpStatusCode.NotFound) return [];
        if (!answer.Succeeded) throw new ImportFailedException(Refusal(answer.Status, answer.Problem));
        return answer.Value.Channels?.Keys.ToList() ?? [];
    }

    /// <returns>What the node answered, once it answered something a retry would not change.</returns>
    private async Task<ApiResult<T>> CallAsync<T>(Func<Task<ApiResult<T>>> call, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            TimeSpan? retryAfter = null;
            try
            {
                var answer = await call();
                if (answer.Succeeded || !IsPassing(answer.Status)) return answer;
                failure = $"the node answered {(int)answer.Status} {answer.Status}: {Detail(answer.Problem)}";
                retryAfter = answer.RetryAfter;
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

    private static string Refusal(HttpStatusCode status, ApiProblem problem) => status switch
    {
        HttpStatusCode.Unauthorized => $"the node answered 401: give an API key with --key (or {ImportOptions.KeyVariable}): {Detail(problem)}",
        HttpStatusCode.Forbidden => $"the node answered 403: the API key needs the ingest and read roles: {Detail(problem)}",
        _ => $"the node answered {(int)status} {status}: {Detail(problem)}",
    };

    private static string? Detail(ApiProblem problem) => problem.Detail ?? problem.Title;

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
