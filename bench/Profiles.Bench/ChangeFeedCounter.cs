using System.Net;
using System.Text.Json;

namespace Profiles.Bench;

/// <summary>Counts changes of the feed (<c>GET /v1/changes</c>) by type between two moments: <see cref="TailAsync"/>
/// pages to the end and keeps the cursor, <see cref="CountSinceAsync"/> pages on from it. A feed longer than
/// <see cref="MaxPages"/> pages is not read to its end (null: the count is not known).</summary>
public static class ChangeFeedCounter
{
    public const int PageSize = 1000;
    public const int MaxPages = 300;

    /// <summary>The cursor after the last change, or null when the feed is too long or does not answer.</summary>
    public static async Task<string?> TailAsync(NodeClient client, CancellationToken ct) =>
        (await ReadOnAsync(client, null, ct).ConfigureAwait(false))?.Cursor;

    /// <summary>Changes after <paramref name="cursor"/>, by type; null when not known.</summary>
    public static async Task<Dictionary<string, long>?> CountSinceAsync(NodeClient client, string? cursor, CancellationToken ct) =>
        cursor is null ? null : (await ReadOnAsync(client, cursor, ct).ConfigureAwait(false))?.Counts;

    private static async Task<(string Cursor, Dictionary<string, long> Counts)?> ReadOnAsync(NodeClient client, string? cursor, CancellationToken ct)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var target = client.Targets[0];
        for (var page = 0; page < MaxPages; page++)
        {
            var path = $"v1/changes?limit={PageSize}" + (cursor is null ? "" : "&after=" + Uri.EscapeDataString(cursor));
            HttpStatusCode status;
            string body;
            try
            {
                (status, body) = await client.GetStringAsync(path, ct, target).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return null;
            }
            if (status != HttpStatusCode.OK) return null;
            int items;
            string? next;
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                items = 0;
                if (root.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array)
                    foreach (var item in list.EnumerateArray())
                    {
                        items++;
                        var type = item.TryGetProperty("type", out var t) ? t.GetString() ?? "?" : "?";
                        counts[type] = counts.GetValueOrDefault(type) + 1;
                    }
                next = root.TryGetProperty("nextCursor", out var nc) && nc.ValueKind == JsonValueKind.String ? nc.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
            if (next is null) return null;
            cursor = next;
            if (items < PageSize) return (cursor, counts);
        }
        return null;
    }
}
