namespace Profiles.Bench.Scenarios;

/// <summary>What every scenario shares: options, the report, an HTTP client for writes and one for lookups.</summary>
public sealed class BenchContext(Options options, Report report, Nodes writes, Nodes reads)
{
    /// <summary>Past the interval at which a node writes a changed profile's snapshot (30 s, ProfileGrain's
    /// SnapshotInterval): what Redis holds and did is counted once the last snapshots of a phase are written.</summary>
    public static readonly TimeSpan PastSnapshotInterval = TimeSpan.FromSeconds(31);

    public Options Options { get; } = options;
    public Report Report { get; } = report;
    public Nodes Writes { get; } = writes;
    public Nodes Reads { get; } = reads;
    public DateTimeOffset Anchor { get; } = RetailPopulation.DefaultAnchor;
    public bool Failed { get; set; }

    /// <summary>Next free global customer index, so that phases never share identifiers.</summary>
    public int NextCustomer { get; set; }

    /// <summary>The node's Redis when --redis-endpoint was given.</summary>
    public RedisProbe? Redis { get; set; }
    /// <summary>Redis's INFO before anything was sent (the store is flushed by run.sh).</summary>
    public RedisInfo? RedisBaseline { get; set; }
    /// <summary>Touchpoints accepted so far, warm-up included: what the store holds.</summary>
    public long StoredTouchpoints { get; set; }

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

    /// <summary>Redis's share of the phase: commands and CPU per touchpoint over the ingest, against the node's and the
    /// generator's CPU; used_memory once the snapshots are written, per touchpoint of the phase and for the whole store;
    /// and the memory by key type (MEMORY USAGE of a sample of each) per stored touchpoint.</summary>
    public async Task AddRedisAsync(string phase, RedisProbe probe, RedisInfo before, RedisInfo afterIngest, PhaseUsage usage, long touchpoints,
        CancellationToken ct)
    {
        var settled = await probe.InfoAsync().ConfigureAwait(false);
        var n = Math.Max(1, touchpoints);
        var commands = RedisInfo.CommandsBetween(before, afterIngest);
        var top = RedisInfo.Delta(before, afterIngest);
        Report.Add(phase, "Redis commands per touchpoint", (double)commands / n, "",
            note: $"INFO commandstats over the ingest (lookups included; the commands a script runs count, each EVALSHA is one client call), {commands:N0} commands: "
                  + string.Join(", ", top.Take(8).Select(c => $"{c.Command} {c.Calls / (double)n:0.###} ({c.Usec / (double)Math.Max(1, c.Calls):0.#} µs each)")));
        var redisCpu = afterIngest.CpuSeconds - before.CpuSeconds;
        Report.Add(phase, "Redis CPU per touchpoint", redisCpu * 1e6 / n, "µs",
            note: $"{redisCpu / Math.Max(usage.ElapsedSeconds, 1e-9):0.##} cores; node {(usage.NodeCpuSeconds ?? double.NaN) * 1e6 / n:0} µs, generator {usage.BenchCpuSeconds * 1e6 / n:0} µs per touchpoint; "
                  + $"elapsed x cores {usage.ElapsedSeconds * Environment.ProcessorCount * 1e6 / n:0} µs");
        Report.Add(phase, "Redis bytes per touchpoint of the phase", (double)(settled.UsedMemory - before.UsedMemory) / n, "B",
            note: $"used_memory {before.UsedMemory / 1048576.0:0.#} -> {settled.UsedMemory / 1048576.0:0.#} MiB, measured after the snapshot interval");
        if (RedisBaseline is { } b0 && StoredTouchpoints > 0)
            Report.Add(phase, "Redis bytes per stored touchpoint, whole store", (double)(settled.UsedMemory - b0.UsedMemory) / StoredTouchpoints, "B",
                note: $"{StoredTouchpoints:N0} touchpoints stored (warm-up included), used_memory over the empty store {(settled.UsedMemory - b0.UsedMemory) / 1048576.0:0.#} MiB");
        try
        {
            var classes = await probe.KeyUsageAsync(200, ct).ConfigureAwait(false);
            var stored = Math.Max(1, StoredTouchpoints);
            var total = classes.Sum(c => c.EstimatedBytes);
            Report.Add(phase, "Redis key bytes per stored touchpoint, by key type", total / stored, "B",
                note: "MEMORY USAGE of up to 200 keys per type, scaled to its count: "
                      + string.Join("; ", classes.Take(10).Select(c => $"{c.Name} {c.EstimatedBytes / stored:0} B ({c.Keys:N0} keys)")));
            Report.Details[$"{phase} redis keys"] = classes.Select(c => new { c.Name, c.Keys, c.Sampled, c.SampledBytes, estimatedBytes = c.EstimatedBytes }).ToArray();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            Report.Add(phase, "Redis key bytes per stored touchpoint, by key type", null, "B", note: "n/a: " + e.Message);
        }
        Report.Details[$"{phase} redis commands"] = top.Select(c => new { c.Command, c.Calls, c.Usec }).ToArray();
    }

    public void AddIngest(string phase, string label, IngestStats s, string? target = null, double rate = 0)
    {
        var lat = s.Latency.Summarise();
        if (rate > 0)
            Report.Add(phase, $"ingest rate {label}", s.PerSecond, "touchpoints/s", note: $"paced at {rate:N0}/s; {Options.Writers} writers, batch {s.Batch}");
        else if (target == "ingest")
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
        if (target && s.Rate >= 1000)
            Report.AddAtMost(phase, $"lookup p99 {label}", lat.P99, "ms", LookupP99Target, note: $"from intended start; service time p99 {svc.P99:0.###} ms"
                + (Paced ? $"; ingest paced at {Options.IngestRate:N0}/s" : "; full-speed ingest (5 ms is the target at a paced ingest)"));
        else Report.Add(phase, $"lookup p99 {label}", lat.P99, "ms", note: $"from intended start; service time p99 {svc.P99:0.###} ms" + (target ? "; the target applies at 1,000/s" : ""));
        foreach (var e in s.Errors) Report.Problem($"{phase} lookups: {e}");
    }

    private bool Paced => Options.IngestRate is > 0 and <= 5000;

    /// <summary>The lookup target (docs/PERFORMANCE.md): p99 at most 25 ms during a full-speed ingest, 5 ms during an ingest paced at 5,000 touchpoints/s or less.</summary>
    private double LookupP99Target => Paced ? 5 : 25;

    /// <summary>Why the gen2 collections happened, e.g. " for AllocLarge 8, AllocSmall 2": large objects allocated
    /// or objects surviving into gen2 call for different cures.</summary>
    private static string Gen2Reasons(IReadOnlyList<GcPause> pauses)
    {
        var reasons = pauses.Where(p => p.Generation == 2).GroupBy(p => p.Reason).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}").ToArray();
        return reasons.Length == 0 ? "" : $" for {string.Join(", ", reasons)}";
    }

    /// <summary>
    /// The node's GC pauses between <paramref name="from"/> and <paramref name="to"/>, and how the lookups answered
    /// meanwhile line up with them: the share of those slower than the p99 target that were in flight during a pause,
    /// and the p99 of those that met none.
    /// </summary>
    public void AddGcPauses(string phase, NodeGcTrace trace, long from, long to, LookupStats lookups, long touchpoints)
    {
        var pauses = trace.PausesBetween(from, to);
        var seconds = (to - from) / (double)System.Diagnostics.Stopwatch.Frequency;
        var lengths = LatencySummary.From([.. pauses.Select(p => p.End - p.Start).Order()]);
        var promoted = pauses.Select(p => p.PromotedBytes).Order().ToArray();
        Report.Add(phase, "node GC pauses during ingest", pauses.Sum(p => p.Milliseconds) / 10 / Math.Max(seconds, 1e-9), "% of the time",
            note: $"{pauses.Count} pauses in {seconds:0.#} s (gen0 {pauses.Count(p => p.Generation == 0)}, gen1 {pauses.Count(p => p.Generation == 1)}, "
                  + $"gen2 {pauses.Count(p => p.Generation == 2)}{Gen2Reasons(pauses)}); each p50 {lengths.P50:0.#} ms, p90 {lengths.P90:0.#} ms, max {lengths.Max:0.#} ms; "
                  + $"promoted p50 {(promoted.Length == 0 ? 0 : promoted[promoted.Length / 2]) / 1048576.0:0.#} MiB, {promoted.Sum() / 1024.0 / Math.Max(1, touchpoints):0.#} KiB per touchpoint in all; "
                  + "from the node's runtime events (EventPipe)"
                  + (trace.Broken is { } broken ? $"; the event stream ended early: {broken}" : ""));
        var limit = (long)(LookupP99Target / 1000 * System.Diagnostics.Stopwatch.Frequency);
        var answered = lookups.Answered.ToArray();
        if (answered.Length == 0) return;
        bool InPause((long From, long To) l) => pauses.Any(p => p.Overlaps(l.From, l.To));
        var slow = answered.Where(l => l.To - l.From > limit).ToArray();
        var slowInPause = slow.Count(InPause);
        Report.Add(phase, $"lookups over {LookupP99Target:0} ms that met a GC pause", slow.Length == 0 ? null : 100.0 * slowInPause / slow.Length, "%",
            note: $"{slowInPause:N0} of the {slow.Length:N0} lookups slower than {LookupP99Target:0} ms (of {answered.Length:N0}) were in flight while the node was paused");
        var clear = answered.Where(l => !InPause(l)).Select(l => l.To - l.From).Order().ToArray();
        Report.Add(phase, "lookup p99 during ingest, those that met no GC pause", LatencySummary.From(clear).P99, "ms",
            note: $"{clear.Length:N0} of {answered.Length:N0} lookups were in flight during no pause; from intended start");
    }
}
