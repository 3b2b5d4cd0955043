using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Profiles.Contracts.Http;

/// <summary>
/// The HTTP API (docs/API.md) as .NET code calls it, with the records the node answers in: the import, the benchmark
/// and the tests speak to a node through it. A call the node answers gives an <see cref="ApiResult{T}"/>, its value or
/// the status and problem it was refused with. A node that cannot be reached throws as <see cref="HttpClient"/> does
/// (<see cref="HttpRequestException"/>, or a <see cref="TaskCanceledException"/> for its time-out), and a success
/// whose body is not the API's JSON throws <see cref="JsonException"/>.
/// </summary>
/// <param name="http">Addresses the node by its <see cref="HttpClient.BaseAddress"/>; the caller owns and disposes it.</param>
/// <param name="apiKey">Sent as <c>Authorization: Bearer</c> with every call (docs/API.md, "API keys and roles").</param>
public sealed class ProfilesHttpClient(HttpClient http, string? apiKey = null)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly AuthenticationHeaderValue? _key = apiKey is null ? null : new("Bearer", apiKey);

    /// <summary>The client the calls go through, for a caller that needs an answer raw: a stream, or a body that is
    /// deliberately not what the API takes.</summary>
    public HttpClient Http => http;

    public Task<ApiResult<TouchpointResult[]>> IngestAsync(IReadOnlyList<TouchpointInput> touchpoints, CancellationToken ct = default) =>
        IngestAsync(JsonSerializer.SerializeToUtf8Bytes(touchpoints, ApiJson.Options), ct);

    /// <param name="touchpoints">The UTF-8 JSON array <c>POST /v1/touchpoints</c> takes, written by the caller.</param>
    public Task<ApiResult<TouchpointResult[]>> IngestAsync(ReadOnlyMemory<byte> touchpoints, CancellationToken ct = default) =>
        SendAsync<TouchpointResult[]>(HttpMethod.Post, ApiPaths.Touchpoints, new ReadOnlyMemoryContent(touchpoints), ct);

    /// <summary>The profile holding the identifier (any spelling of its value); 404 when none does. Sent in the body of a
    /// POST, so the identifier is in no address that a proxy or a load balancer logs.</summary>
    public Task<ApiResult<Profile>> LookupAsync(IdentifierInput identifier, CancellationToken ct = default) =>
        SendAsync<Profile>(HttpMethod.Post, ApiPaths.LookupByBody, Body(LookupRequest.Of(identifier)), ct);

    /// <param name="identifier">The identifier, sent in the body as for <see cref="LookupAsync(IdentifierInput, CancellationToken)"/>.</param>
    /// <param name="fields">The <see cref="ProfilePart"/>s to answer with.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<ApiResult<PartialProfile>> LookupAsync(IdentifierInput identifier, IEnumerable<string> fields, CancellationToken ct = default) =>
        SendAsync<PartialProfile>(HttpMethod.Post, ApiPaths.LookupByBody, Body(LookupRequest.Of(identifier, fields)), ct);

    /// <summary>The profile, or the one it was merged into; 404 when unknown or erased.</summary>
    public Task<ApiResult<Profile>> GetProfileAsync(string profileId, CancellationToken ct = default) =>
        SendAsync<Profile>(HttpMethod.Get, ApiPaths.Profile(profileId), null, ct);

    /// <param name="fields">The <see cref="ProfilePart"/>s to answer with.</param>
    public Task<ApiResult<PartialProfile>> GetProfileAsync(string profileId, IEnumerable<string> fields, CancellationToken ct = default) =>
        SendAsync<PartialProfile>(HttpMethod.Get, ApiPaths.Profile(profileId, fields), null, ct);

    /// <param name="cursor">The <see cref="JourneyResponse.NextCursor"/> of the page before; null for the newest page.</param>
    public Task<ApiResult<JourneyResponse>> GetJourneyAsync(string profileId, int? limit = null, string? cursor = null, CancellationToken ct = default) =>
        SendAsync<JourneyResponse>(HttpMethod.Get, ApiPaths.Journey(profileId, limit, cursor), null, ct);

    /// <summary>The profile's consent decisions, newest first; 404 when unknown or erased.</summary>
    public Task<ApiResult<ConsentHistoryResponse>> GetConsentAsync(string profileId, CancellationToken ct = default) =>
        SendAsync<ConsentHistoryResponse>(HttpMethod.Get, ApiPaths.Consent(profileId), null, ct);

    /// <summary>Records that the two identifiers are two people; answers the profiles that result.</summary>
    public Task<ApiResult<Profile[]>> UnlinkAsync(string profileId, IdentifierInput one, IdentifierInput other, CancellationToken ct = default) =>
        SendAsync<Profile[]>(HttpMethod.Post, ApiPaths.Unlink(profileId), Body(new IdentifierPair([one, other])), ct);

    /// <summary>Undoes an unlink of the two identifiers; answers the profiles that result.</summary>
    public Task<ApiResult<Profile[]>> RelinkAsync(string profileId, IdentifierInput one, IdentifierInput other, CancellationToken ct = default) =>
        SendAsync<Profile[]>(HttpMethod.Post, ApiPaths.Relink(profileId), Body(new IdentifierPair([one, other])), ct);

    /// <param name="after">The <see cref="ChangesResponse.NextCursor"/> read last; null for the oldest change kept.</param>
    public Task<ApiResult<ChangesResponse>> GetChangesAsync(string? after = null, int? limit = null, CancellationToken ct = default) =>
        SendAsync<ChangesResponse>(HttpMethod.Get, ApiPaths.Changes(after, limit), null, ct);

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (content is not null) content.Headers.ContentType = Json;
        if (_key is not null) request.Headers.Authorization = _key;
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        // Answers are small (a profile, a page, a batch's results): read whole, then parsed in one pass.
        var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        var call = $"{method} /{path.Split('?')[0]}";
        if (!response.IsSuccessStatusCode) return ApiResult<T>.Refused(call, response.StatusCode, ProblemOf(body), RetryAfter(response));
        var value = JsonSerializer.Deserialize<T>(body, ApiJson.Options) ?? throw new JsonException($"{call} answered null.");
        return ApiResult<T>.Answered(call, response.StatusCode, value);
    }

    private static ReadOnlyMemoryContent Body<T>(T value) => new(JsonSerializer.SerializeToUtf8Bytes(value, ApiJson.Options));

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter is not { } retry ? null : retry.Delta ?? retry.Date - DateTimeOffset.UtcNow;

    private static ApiProblem ProblemOf(byte[] body)
    {
        try
        {
            if (JsonSerializer.Deserialize<ApiProblem>(body, ApiJson.Options) is { } problem && (problem.Title ?? problem.Detail) is not null) return problem;
        }
        catch (JsonException)
        {
        }
        var text = Encoding.UTF8.GetString(body);
        return new ApiProblem(null, null, null, text.Length > ApiProblem.MaxForeignDetail ? text[..ApiProblem.MaxForeignDetail] : text);
    }

    /// <summary>The body of an unlink or a relink.</summary>
    private sealed record IdentifierPair(IReadOnlyList<IdentifierInput> Identifiers);
}
