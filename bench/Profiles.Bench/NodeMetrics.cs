using System.Globalization;

namespace Profiles.Bench;

/// <summary>Reads GET /metrics (Prometheus text) of every node when it exists.</summary>
public static class NodeMetrics
{
    /// <summary>Sum over nodes and label sets of the series named like "*activations*" (a gauge of live
    /// activations), or of the first "*activation*" series that is not a histogram part or a counter of
    /// events; null when no node has /metrics or no such series.</summary>
    public static async Task<(double? Value, string? Metric)> ActivationsAsync(Nodes nodes, CancellationToken ct)
        => await SumAsync(nodes, name =>
            name.Contains("activation", StringComparison.OrdinalIgnoreCase)
            && !name.EndsWith("_bucket", StringComparison.Ordinal) && !name.EndsWith("_sum", StringComparison.Ordinal)
            && !name.EndsWith("_count", StringComparison.Ordinal) && !name.EndsWith("_created", StringComparison.Ordinal)
            && !name.Contains("duration", StringComparison.OrdinalIgnoreCase) && !name.Contains("working_set", StringComparison.OrdinalIgnoreCase)
            && !name.Contains("fail", StringComparison.OrdinalIgnoreCase) && !name.Contains("destroy", StringComparison.OrdinalIgnoreCase)
            && !name.Contains("collect", StringComparison.OrdinalIgnoreCase) && !name.Contains("shutdown", StringComparison.OrdinalIgnoreCase),
            prefer: name => name.Contains("activations", StringComparison.OrdinalIgnoreCase), ct).ConfigureAwait(false);

    /// <summary>The node's own merge counter, for comparison with the expected merges.</summary>
    public static async Task<(double? Value, string? Metric)> MergesAsync(Nodes nodes, CancellationToken ct)
        => await SumAsync(nodes, name =>
            name.Contains("merge", StringComparison.OrdinalIgnoreCase)
            && !name.EndsWith("_bucket", StringComparison.Ordinal) && !name.EndsWith("_sum", StringComparison.Ordinal)
            && !name.EndsWith("_count", StringComparison.Ordinal) && !name.EndsWith("_created", StringComparison.Ordinal)
            && !name.Contains("seconds", StringComparison.OrdinalIgnoreCase) && !name.Contains("duration", StringComparison.OrdinalIgnoreCase),
            prefer: name => name.EndsWith("_total", StringComparison.Ordinal), ct).ConfigureAwait(false);

    /// <summary>Segment events the nodes skipped, every reason summed.</summary>
    public static async Task<double?> SegmentEventsSkippedAsync(Nodes nodes, CancellationToken ct)
        => (await SumAsync(nodes, name => name == "profiles_segment_events_skipped_total", prefer: _ => true, ct).ConfigureAwait(false)).Item1;

    private static async Task<(double?, string?)> SumAsync(Nodes nodes, Func<string, bool> match, Func<string, bool> prefer, CancellationToken ct)
    {
        double? total = null;
        string? chosen = null;
        foreach (var target in nodes.Targets)
        {
            string body;
            try
            {
                if (await nodes.MetricsAsync(target, ct).ConfigureAwait(false) is not { } text) continue;
                body = text;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { continue; }

            var series = new List<(string Name, double Value)>();
            foreach (var raw in body.AsSpan().EnumerateLines())
            {
                var line = raw.Trim();
                if (line.IsEmpty || line[0] == '#') continue;
                var nameEnd = line.IndexOfAny('{', ' ');
                if (nameEnd <= 0) continue;
                var name = line[..nameEnd].ToString();
                if (!match(name)) continue;
                // value follows the labels (or the name) after a space; an optional timestamp may follow it.
                var rest = line[(line[nameEnd] == '{' ? line.LastIndexOf('}') + 1 : nameEnd)..].Trim();
                var sp = rest.IndexOf(' ');
                var valueText = sp < 0 ? rest : rest[..sp];
                if (double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
                    series.Add((name, v));
            }
            if (series.Count == 0) continue;
            var pick = chosen ?? series.Select(s => s.Name).FirstOrDefault(prefer) ?? series[0].Name;
            chosen = pick;
            total = (total ?? 0) + series.Where(s => s.Name == pick).Sum(s => s.Value);
        }
        return (total, chosen);
    }
}
