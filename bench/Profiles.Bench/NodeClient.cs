using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Bench;

/// <summary>Result of one ingest request.</summary>
public readonly record struct BatchOutcome(int Accepted, int Duplicate, int Rejected, HttpStatusCode Status, string? Error);

/// <summary>A profile as far as the bench reads it.</summary>
public sealed record ProfileView(string ProfileId, long Touchpoints);

/// <summary>A profile with how many identifiers of each type it holds (the keys themselves are HMACs the bench cannot
/// compute, so it names identifiers by looking them up).</summary>
public sealed record ProfileDetail(string ProfileId, long Touchpoints, IReadOnlyDictionary<string, int> IdentifierTypes)
{
    public int Count(string type) => IdentifierTypes.GetValueOrDefault(type);

    public static ProfileDetail? From(JsonElement profile)
    {
        if (profile.ValueKind != JsonValueKind.Object || !profile.TryGetProperty("profileId", out var p) || p.GetString() is not { } id) return null;
        var tps = profile.TryGetProperty("touchpoints", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : -1;
        var types = new Dictionary<string, int>(StringComparer.Ordinal);
        if (profile.TryGetProperty("identifiers", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var i in list.EnumerateArray())
                if (i.TryGetProperty("type", out var type) && type.GetString() is { } name)
                    types[name] = types.GetValueOrDefault(name) + 1;
        return new ProfileDetail(id, tps, types);
    }

    public static ProfileDetail? Parse(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return From(doc.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>An answer that is an array of profiles (unlink, relink); null when it is not.</summary>
    public static List<ProfileDetail>? ParseArray(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return null;
            var list = new List<ProfileDetail>();
            foreach (var e in doc.RootElement.EnumerateArray())
                if (From(e) is { } d) list.Add(d);
            return list;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string ToString() =>
        $"{ProfileId} ({Touchpoints} touchpoints; {string.Join(", ", IdentifierTypes.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Value} {t.Key}"))})";
}

/// <summary>One journey page.</summary>
public sealed record JourneyPage(int Items, string? NextCursor, List<string> ItemIds);

/// <summary>HTTP access to one or several nodes, round-robin.</summary>
public sealed class NodeClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;
    private readonly Uri[] _targets;
    private int _next = -1;

    public NodeClient(IReadOnlyList<Uri> targets, int maxConnections, TimeSpan timeout)
    {
        _targets = [.. targets];
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        _http = new HttpClient(handler) { Timeout = timeout };
    }

    public IReadOnlyList<Uri> Targets => _targets;

    private Uri Next(string relative)
    {
        var i = (int)((uint)Interlocked.Increment(ref _next) % (uint)_targets.Length);
        return new Uri(_targets[i], relative);
    }

    /// <summary>POSTs a JSON array and counts the statuses of the answer. <paramref name="scratch"/> is a
    /// per-caller buffer reused to read the response; <paramref name="target"/> pins the node (else round-robin).</summary>
    public async Task<BatchOutcome> PostTouchpointsAsync(ReadOnlyMemory<byte> body, ResponseBuffer scratch, CancellationToken ct, Uri? target = null)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, target is null ? Next("v1/touchpoints") : new Uri(target, "v1/touchpoints"));
        req.Content = new ReadOnlyMemoryContent(body);
        req.Content.Headers.ContentType = Json;
        using var resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var len = await scratch.ReadAsync(resp.Content, ct).ConfigureAwait(false);
        if (resp.StatusCode != HttpStatusCode.OK)
            return new BatchOutcome(0, 0, 0, resp.StatusCode, $"HTTP {(int)resp.StatusCode}: {Snippet(scratch.Span(len))}");
        return CountStatuses(scratch.Span(len), resp.StatusCode);
    }

    private static BatchOutcome CountStatuses(ReadOnlySpan<byte> json, HttpStatusCode status)
    {
        int a = 0, d = 0, r = 0;
        string? firstError = null;
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 2) continue;
                if (reader.ValueTextEquals("status"u8))
                {
                    reader.Read();
                    if (reader.ValueTextEquals("accepted"u8)) a++;
                    else if (reader.ValueTextEquals("duplicate"u8)) d++;
                    else r++;
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    if (firstError is null && reader.TokenType == JsonTokenType.String) firstError = reader.GetString();
                }
            }
        }
        catch (JsonException e)
        {
            return new BatchOutcome(a, d, r, status, $"unreadable answer: {e.Message}: {Snippet(json)}");
        }
        return new BatchOutcome(a, d, r, status, firstError);
    }

    /// <summary>GET returning only the status code; the body is drained into <paramref name="scratch"/>.</summary>
    public async Task<HttpStatusCode> GetStatusAsync(string relative, ResponseBuffer scratch, CancellationToken ct)
    {
        using var resp = await _http.GetAsync(Next(relative), HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        await scratch.ReadAsync(resp.Content, ct).ConfigureAwait(false);
        return resp.StatusCode;
    }

    public async Task<(HttpStatusCode Status, string Body)> GetStringAsync(string relative, CancellationToken ct, Uri? target = null)
    {
        using var resp = await _http.GetAsync(target is null ? Next(relative) : new Uri(target, relative), ct).ConfigureAwait(false);
        return (resp.StatusCode, await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
    }

    /// <summary>POSTs a JSON body to <paramref name="relative"/> (round-robin) and returns the status and the body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> PostJsonAsync(string relative, string json, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, Next(relative));
        req.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var resp = await _http.SendAsync(req, ct).ConfigureAwait(false);
        return (resp.StatusCode, await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
    }

    /// <summary>Looks an identifier up and reads the identifiers the profile holds, by type.</summary>
    public async Task<(HttpStatusCode Status, ProfileDetail? Profile)> LookupDetailAsync(IdentifierInput id, CancellationToken ct)
    {
        var (status, body) = await GetStringAsync(LookupPath(id), ct).ConfigureAwait(false);
        return status == HttpStatusCode.OK ? (status, ProfileDetail.Parse(body)) : (status, null);
    }

    public static string LookupPath(IdentifierInput id) => ApiPaths.Lookup(id);

    /// <summary>Looks an identifier up: the profile, or null with the status when not 200.</summary>
    public async Task<(HttpStatusCode Status, ProfileView? Profile, string? Body)> LookupAsync(IdentifierInput id, CancellationToken ct)
    {
        var (status, body) = await GetStringAsync(LookupPath(id), ct).ConfigureAwait(false);
        return status == HttpStatusCode.OK ? (status, ParseProfile(body), body) : (status, null, body);
    }

    public async Task<(HttpStatusCode Status, ProfileView? Profile)> GetProfileAsync(string profileId, CancellationToken ct)
    {
        var (status, body) = await GetStringAsync($"v1/profiles/{Uri.EscapeDataString(profileId)}", ct).ConfigureAwait(false);
        return status == HttpStatusCode.OK ? (status, ParseProfile(body)) : (status, null);
    }

    public static ProfileView? ParseProfile(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var id = root.TryGetProperty("profileId", out var p) ? p.GetString() : null;
            var tps = root.TryGetProperty("touchpoints", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : -1;
            return id is null ? null : new ProfileView(id, tps);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>One journey page; item ids are collected when <paramref name="ids"/> is true.</summary>
    public async Task<(HttpStatusCode Status, JourneyPage? Page, string? Error)> JourneyAsync(string profileId, int limit, string? cursor, bool ids, CancellationToken ct)
    {
        var path = $"v1/profiles/{Uri.EscapeDataString(profileId)}/journey?limit={limit}"
                   + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
        using var resp = await _http.GetAsync(Next(path), ct).ConfigureAwait(false);
        var bytes = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (resp.StatusCode != HttpStatusCode.OK) return (resp.StatusCode, null, Snippet(bytes));
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            var list = new List<string>();
            var count = 0;
            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
                foreach (var item in items.EnumerateArray())
                {
                    count++;
                    if (ids && item.TryGetProperty("id", out var idEl) && idEl.GetString() is { } s) list.Add(s);
                }
            var next = root.TryGetProperty("nextCursor", out var nc) && nc.ValueKind == JsonValueKind.String ? nc.GetString() : null;
            return (resp.StatusCode, new JourneyPage(count, string.IsNullOrEmpty(next) ? null : next, list), null);
        }
        catch (JsonException e)
        {
            return (resp.StatusCode, null, e.Message);
        }
    }

    public static string Snippet(ReadOnlySpan<byte> bytes)
    {
        var s = Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, 300)]);
        return s.ReplaceLineEndings(" ");
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A growable buffer one caller reuses to read response bodies without allocating each time.</summary>
public sealed class ResponseBuffer
{
    private byte[] _buf = ArrayPool<byte>.Shared.Rent(16 * 1024);

    public ReadOnlySpan<byte> Span(int length) => _buf.AsSpan(0, length);

    public async Task<int> ReadAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var n = 0;
        while (true)
        {
            if (n == _buf.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(_buf.Length * 2);
                _buf.AsSpan(0, n).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buf);
                _buf = bigger;
            }
            var read = await stream.ReadAsync(_buf.AsMemory(n), ct).ConfigureAwait(false);
            if (read == 0) return n;
            n += read;
        }
    }
}

/// <summary>Clock helpers.</summary>
public static class Clock
{
    public static double Seconds(long fromTimestamp) => (Stopwatch.GetTimestamp() - fromTimestamp) / (double)Stopwatch.Frequency;
}
