using System.Text.Json;
using Profiles.Contracts.Http;

namespace Profiles.Bench;

/// <summary>Counts changes of the feed (<c>GET /v1/changes</c>) by type between two moments: <see cref="TailAsync"/>
/// pages to the end and keeps the cursor, <see cref="CountSinceAsync"/> pages on from it. A feed longer than
/// <see cref="MaxPages"/> pages is not read to its end (null: the count is not known).</summary>
public static class ChangeFeedCounter
{
    public const int PageSize = 1000;
    public const int MaxPages = 300;

    /// <summary>The cursor after the last change, or null when the feed is too long or does not answer.</summary>
    public static async Task<string?> TailAsync(Nodes nodes, CancellationToken ct) =>
        (await ReadOnAsync(nodes, null, ct).ConfigureAwait(false))?.Cursor;

    /// <summary>Changes after <paramref name="cursor"/>, by type; null when not known.</summary>
    public static async Task<Dictionary<string, long>?> CountSinceAsync(Nodes nodes, string? cursor, CancellationToken ct) =>
        cursor is null ? null : (await ReadOnAsync(nodes, cursor, ct).ConfigureAwait(false))?.Counts;

    private static async Task<(string Cursor, Dictionary<string, long> Counts)?> ReadOnAsync(Nodes nodes, string? cursor, CancellationToken ct)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var node = nodes.On(nodes.Targets[0]);
        for (var page = 0; page < MaxPages; page++)
        {
            ChangesResponse changes;
            try
            {
                var answer = await node.GetChangesAsync(cursor, PageSize, ct).ConfigureAwait(false);
                if (!answer.Succeeded) return null;
                changes = answer.Value;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                return null;
            }
            foreach (var change in changes.Items) counts[change.Type] = counts.GetValueOrDefault(change.Type) + 1;
            cursor = changes.NextCursor;
            if (changes.Items.Count < PageSize) return (cursor, counts);
        }
        return null;
    }
}
