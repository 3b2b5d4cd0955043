using System.Diagnostics;

namespace Profiles.Bench.Scenarios;

/// <summary>Result of following a journey's nextCursor from the newest page to the end.</summary>
public sealed class JourneyWalk
{
    public int Pages;
    public long Items;
    public long DuplicateIds;
    public List<string> Cursors { get; } = [];

    /// <summary>Every item id in page order, when the walk was asked to keep them.</summary>
    public List<string> Ids { get; } = [];
    public LatencyRecorder Latency { get; } = new();
    public string? Error { get; set; }
    public double Seconds { get; set; }
}

public static class JourneyWalker
{
    /// <summary>Follows nextCursor pages of <paramref name="limit"/> items, timing each, until there is no
    /// cursor (or <paramref name="expected"/> is far exceeded, or a cursor repeats).</summary>
    public static async Task<JourneyWalk> WalkAsync(Nodes nodes, string profileId, int limit, long expected, Action<long>? progress, CancellationToken ct,
        bool keepIds = false)
    {
        var walk = new JourneyWalk();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var cursors = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        var maxPages = expected / limit + 20;
        var start = Stopwatch.GetTimestamp();
        while (walk.Pages < maxPages)
        {
            var t0 = Stopwatch.GetTimestamp();
            var answer = await nodes.Next().GetJourneyAsync(profileId, limit, cursor, ct).ConfigureAwait(false);
            walk.Latency.RecordSince(t0);
            if (!answer.Succeeded)
            {
                walk.Error = $"journey page {walk.Pages + 1} answered {ProfileReport.Refusal(answer)}";
                break;
            }
            var page = answer.Value;
            walk.Pages++;
            walk.Items += page.Items.Count;
            foreach (var item in page.Items) if (!seen.Add(item.Id)) walk.DuplicateIds++;
            if (keepIds) walk.Ids.AddRange(page.Items.Select(i => i.Id));
            progress?.Invoke(page.Items.Count);
            if (page.NextCursor is null) break;
            if (!cursors.Add(page.NextCursor))
            {
                walk.Error = $"journey cursor repeated at page {walk.Pages}";
                break;
            }
            walk.Cursors.Add(page.NextCursor);
            cursor = page.NextCursor;
        }
        if (walk.Pages >= maxPages) walk.Error ??= $"journey still had a nextCursor after {walk.Pages} pages ({walk.Items} items, {expected} expected)";
        walk.Seconds = Clock.Seconds(start);
        return walk;
    }
}
