namespace Profiles.Bench.Scenarios;

/// <summary>What every scenario shares: options, the report, an HTTP client for writes and one for lookups.</summary>
public sealed class BenchContext(Options options, Report report, NodeClient writes, NodeClient reads)
{
    public Options Options { get; } = options;
    public Report Report { get; } = report;
    public NodeClient Writes { get; } = writes;
    public NodeClient Reads { get; } = reads;
    public DateTimeOffset Anchor { get; } = RetailPopulation.DefaultAnchor;
    public bool Failed { get; set; }

    /// <summary>Next free global customer index, so that phases never share identifiers.</summary>
    public int NextCustomer { get; set; }

    public PhaseMeter Meter() => new(Options.NodePids);

    /// <summary>Adds the node's RSS, CPU and this generator's CPU for a phase, plus grain activations.</summary>
    public async Task AddUsageAsync(string phase, PhaseUsage usage, long touchpoints, CancellationToken ct)
    {
        Report.Add(phase, "node RSS after phase", usage.NodeRssKiB / 1024.0, "MiB",
            note: Options.NodePids.Count == 0 ? "no --node-pid" : $"pid {string.Join(",", Options.NodePids)}");
        if (usage.NodeCpuSeconds is { } nodeCpu)
        {
            Report.Add(phase, "node CPU used", usage.NodeCores, "cores");
            if (touchpoints > 0)
                Report.Add(phase, "node CPU per touchpoint", nodeCpu * 1e6 / touchpoints, "µs");
        }
        Report.Add(phase, "generator CPU used", usage.BenchCores, "cores", note: "the bench's own share of the machine");
        if (touchpoints > 0) Report.Add(phase, "generator CPU per touchpoint", usage.BenchCpuSeconds * 1e6 / touchpoints, "µs");
        var (activations, metric) = await NodeMetrics.ActivationsAsync(Reads, ct).ConfigureAwait(false);
        Report.Add(phase, "grain activations", activations, "", note: metric is null ? "n/a: no activation series in GET /metrics" : metric);
    }

    public void AddIngest(string phase, string label, IngestStats s, string? target = null)
    {
        var lat = s.Latency.Summarise();
        if (target == "ingest")
            Report.AddAtLeast(phase, $"ingest rate {label}", s.PerSecond, "touchpoints/s", 10_000,
                note: $"{Options.Writers} writers, batch {s.Batch}");
        else if (target == "hot")
            Report.AddAtLeast(phase, $"ingest rate {label}", s.PerSecond, "touchpoints/s", 2_000,
                note: $"{Options.Writers} writers, batch {s.Batch}, one profile");
        else
            Report.Add(phase, $"ingest rate {label}", s.PerSecond, "touchpoints/s", note: $"{Options.Writers} writers, batch {s.Batch}");
        Report.Add(phase, $"ingest request p50 (batch {s.Batch})", lat.P50, "ms", note: $"{lat.Count:N0} requests; {lat.P50 / s.Batch * 1000:0.#} µs per touchpoint");
        Report.Add(phase, $"ingest request p99 (batch {s.Batch})", lat.P99, "ms", note: $"max {lat.Max:0.##} ms");
        Report.Add(phase, "accepted / duplicate / rejected", s.Accepted, "",
            note: $"{s.Accepted:N0} / {s.Duplicate:N0} / {s.Rejected:N0}; failed requests {s.FailedRequests}, retries {s.Retries}");
        foreach (var e in s.Errors) Report.Problem($"{phase}: {e}");
        if (s.FailedRequests > 0 || s.Rejected > 0) Failed = true;
    }

    /// <summary>Service time (request handed over to answer read) of lookups on an idle node.</summary>
    public void AddIdleLookups(string phase, string label, LookupStats s, double? target)
    {
        var svc = s.Service.Summarise();
        var note = $"{s.Rate}/s on an idle node; p99 {svc.P99:0.###} ms; 200: {s.Ok:N0}, other: {s.NotFound + s.OtherStatus}, failed: {s.Failed}";
        if (target is { } limit) Report.AddAtMost(phase, $"idle lookup service p50, {label}", svc.P50, "ms", limit, note);
        else Report.Add(phase, $"idle lookup service p50, {label}", svc.P50, "ms", note: note);
        if (s.NotFound + s.OtherStatus + s.Failed > 0) Report.Problem($"{phase}: idle lookups ({label}): {s.NotFound} answered 404, {s.OtherStatus} another status, {s.Failed} failed");
        foreach (var e in s.Errors) Report.Problem($"{phase} idle lookups: {e}");
    }

    public void AddLookups(string phase, string label, LookupStats s, bool target)
    {
        var lat = s.Latency.Summarise();
        var svc = s.Service.Summarise();
        var lag = s.PacerLag.Summarise();
        Report.Add(phase, $"lookups/s {label}", s.PerSecond, "/s",
            note: $"asked {s.Rate}/s open-loop (generator lag p99 {lag.P99:0.###} ms); 200: {s.Ok:N0}, 404: {s.NotFound:N0}, other: {s.OtherStatus}, failed: {s.Failed}, skipped: {s.Skipped}");
        Report.Add(phase, $"lookup p50 {label}", lat.P50, "ms", note: $"from intended start; service time p50 {svc.P50:0.###} ms");
        if (target && s.Rate >= 1000) Report.AddAtMost(phase, $"lookup p99 {label}", lat.P99, "ms", 5, note: $"from intended start; service time p99 {svc.P99:0.###} ms");
        else Report.Add(phase, $"lookup p99 {label}", lat.P99, "ms", note: $"from intended start; service time p99 {svc.P99:0.###} ms" + (target ? "; the target (<= 5 ms) applies at 1,000/s" : ""));
        foreach (var e in s.Errors) Report.Problem($"{phase} lookups: {e}");
    }
}
