using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// The omnichannel population replayed in a seeded random order by C writers in batches of B, with open-loop
/// lookups during the ingest and after it, then a correctness check of sampled customers. With a rate, the
/// replay is paced at that many touchpoints/s (the lookups then measure latency at a fixed ingest rate). With
/// --redis-endpoint, Redis's commands and CPU over the ingest and its memory once the snapshots are written,
/// per touchpoint.
/// </summary>
public static class IngestScenario
{
    public static async Task<IngestStats[]> RunAsync(BenchContext ctx, string phase, int customers, bool lookups, int sample, string? ingestTarget, CancellationToken ct,
        double rate = 0)
    {
        var o = ctx.Options;
        if (o.NodePids.Count > 0 && ProcStats.AgeSeconds(o.NodePids[0]) is { } age)
            ctx.Report.Add(phase, "node age at phase start", age, "s", note: $"since the node process started; load average {ProcStats.LoadAverage()}");
        else
            ctx.Report.Add(phase, "load average at phase start", null, "", note: ProcStats.LoadAverage());
        var offset = ctx.NextCustomer;
        ctx.NextCustomer += customers;
        Ui.Info($"[{phase}] generating {customers:N0} customers (seed {o.Seed}, offset {offset:N0})");
        var pop = RetailPopulation.Generate(o.Seed, offset, customers, ctx.Anchor);
        var order = pop.Touchpoints.ToArray();
        new Random(o.Seed * 31 + offset).Shuffle(order);
        var truth = new GroundTruth(order);
        var total = order.Length;
        ctx.Report.Add(phase, "population", customers, "customers",
            note: $"{total:N0} touchpoints ({(double)total / customers:0.#} per customer), {truth.ComponentCount:N0} expected profiles, {truth.ExpectedMerges:N0} expected merges in replay order");
        if (truth.ComponentCount != customers) ctx.Report.Problem($"{phase}: ground truth has {truth.ComponentCount} components for {customers} customers (generator bug)");

        // Lookups for e-mails of the population, in messy spellings: 404 until the customer's first e-mail touchpoint lands.
        var rng = new Random(o.Seed + 7);
        var emails = Enumerable.Range(0, Math.Min(8192, customers * 2))
            .Select(_ => pop.Customers[rng.Next(customers)])
            .Select(c => new IdentifierInput("email", MessySpelling.Email(rng, c.Email)))
            .ToArray();

        var metricsBefore = (await NodeMetrics.MergesAsync(ctx.Reads, ct).ConfigureAwait(false)).Value;
        var redisBefore = ctx.Redis is { } rp ? await rp.InfoAsync().ConfigureAwait(false) : null;
        var meter = ctx.Meter();
        // With one node, its GC pauses are lined up with the lookups: what the lookup p99 waits for (docs/PERFORMANCE.md).
        string? noTrace = "the node's GC pauses are traced when one --node-pid is given";
        await using var gcTrace = o.NodePids.Count == 1 ? NodeGcTrace.TryStart(o.NodePids[0], out noTrace) : null;
        using var stopLookups = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var lookupTask = lookups && o.LookupRate > 0
            ? LookupLoad.RunAsync(ctx.Reads, emails, o.LookupRate, null, stopLookups.Token)
            : Task.FromResult(new LookupStats());

        var sizes = o.BatchSizes;
        var slices = new IngestStats[sizes.Count];
        // Touchpoints answered, sampled every 5 s: the rate's course through the phase (the cold phase's first
        // seconds are where JIT tiering and first activations show).
        long answered = 0;
        var timeline = new List<double>();
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        using var sampler = new Timer(_ => { lock (timeline) timeline.Add(Interlocked.Read(ref answered)); }, null, 5000, 5000);
        try
        {
            await Ui.WithProgress($"{phase}: {total:N0} touchpoints{(rate > 0 ? $" at {rate:N0}/s" : "")}", total, async progress =>
            {
                void Progress(long n) { Interlocked.Add(ref answered, n); progress(n); }
                for (var i = 0; i < sizes.Count; i++)
                {
                    var from = (int)((long)total * i / sizes.Count);
                    var to = (int)((long)total * (i + 1) / sizes.Count);
                    slices[i] = await Replayer.ReplayAsync(ctx.Writes, order, from, to, sizes[i], o.Writers, Progress, ct, rate).ConfigureAwait(false);
                }
                return 0;
            }).ConfigureAwait(false);
        }
        finally
        {
            await stopLookups.CancelAsync().ConfigureAwait(false);
        }
        await sampler.DisposeAsync().ConfigureAwait(false);
        var during = await lookupTask.ConfigureAwait(false);
        var t1 = System.Diagnostics.Stopwatch.GetTimestamp();
        var usage = meter.Stop();
        var redisAfterIngest = ctx.Redis is { } rp2 ? await rp2.InfoAsync().ConfigureAwait(false) : null;
        var loadAfter = ProcStats.LoadAverage();

        var all = Combine(slices);
        ctx.StoredTouchpoints += all.Accepted;
        ctx.AddIngest(phase, "(all)", all, rate > 0 ? null : ingestTarget, rate);
        {
            double[] points;
            lock (timeline) points = [.. timeline];
            var windows = new List<string>();
            double prev = 0;
            for (var i = 0; i < points.Length && i < 12; i++) { windows.Add($"{(points[i] - prev) / 5:N0}"); prev = points[i]; }
            ctx.Report.Add(phase, "ingest rate in 5 s windows", points.Length > 0 ? points[0] / 5 : null, "touchpoints/s",
                note: (windows.Count == 0 ? "phase shorter than 5 s" : "first window; then " + string.Join(", ", windows.Skip(1)) + (points.Length > 12 ? " ..." : ""))
                      + $"; load average after the ingest {loadAfter}");
            ctx.Report.Details[$"{phase} timeline"] = points;
        }
        if (slices.Length > 1)
            foreach (var s in slices) ctx.AddIngest(phase, $"(batch {s.Batch})", s);
        if (all.Accepted + all.Duplicate != total)
            ctx.Report.Problem($"{phase}: {all.Accepted + all.Duplicate:N0} touchpoints accepted or duplicate of {total:N0} sent");
        if (lookups && o.LookupRate > 0) ctx.AddLookups(phase, "during ingest", during, target: true);
        if (gcTrace is not null) ctx.AddGcPauses(phase, gcTrace, t0, t1, during, total);
        else ctx.Report.Add(phase, "node GC pauses during ingest", null, "", note: "n/a: " + noTrace);
        var metricsAfter = (await NodeMetrics.MergesAsync(ctx.Reads, ct).ConfigureAwait(false));
        ctx.Report.Add(phase, "merges", truth.ExpectedMerges, "",
            note: metricsAfter.Value is { } grown
                ? $"expected in replay order; node's {metricsAfter.Metric} grew by {grown - (metricsBefore ?? 0):N0}"
                : "expected in replay order; node count n/a (no merge series in /metrics)");
        await ctx.AddUsageAsync(phase, usage, total, ct).ConfigureAwait(false);

        if (lookups && o.LookupRate > 0 && o.LookupSeconds > 0)
        {
            Ui.Info($"[{phase}] lookups after ingest: {o.LookupRate}/s for {o.LookupSeconds}s");
            var after = await LookupLoad.RunAsync(ctx.Reads, emails, o.LookupRate, TimeSpan.FromSeconds(o.LookupSeconds), ct).ConfigureAwait(false);
            ctx.AddLookups(phase, "after ingest", after, target: false);
            if (after.NotFound + after.OtherStatus + after.Failed > 0)
                ctx.Report.Problem($"{phase}: after ingest, {after.NotFound} lookups of known e-mails answered 404, {after.OtherStatus} another status, {after.Failed} failed");
        }

        if (lookups && o.IdleLookupRate > 0 && o.IdleLookupSeconds > 0) await IdleLookupsAsync(ctx, phase, emails, ct).ConfigureAwait(false);
        else if (ctx.Redis is not null) await Task.Delay(BenchContext.PastSnapshotInterval, ct).ConfigureAwait(false);

        if (ctx.Redis is { } probe && redisBefore is not null && redisAfterIngest is not null)
            await ctx.AddRedisAsync(phase, probe, redisBefore, redisAfterIngest, usage, all.Accepted, ct).ConfigureAwait(false);

        if (sample > 0)
        {
            Ui.Info($"[{phase}] checking {Math.Min(sample, customers)} customers against the ground truth");
            var check = await CorrectnessCheck.RunAsync(ctx.Reads, pop, truth, sample, o.Seed + offset, ct).ConfigureAwait(false);
            ctx.Report.Add(phase, "correctness mismatches", check.Mismatches, "", target: "0", met: check.Mismatches == 0,
                note: $"{check.Customers} customers, {check.Lookups} lookups");
            foreach (var d in check.Details.Take(30)) ctx.Report.Problem($"{phase}: {d}");
            if (check.Mismatches > 0) ctx.Failed = true;
        }
        return slices;
    }

    /// <summary>The storefront's reads on a node that has finished ingesting (past the 30 s snapshot interval): the
    /// whole profile, then only its computed traits and audiences (<c>fields=computed,audiences</c>).</summary>
    private static async Task IdleLookupsAsync(BenchContext ctx, string phase, IdentifierInput[] emails, CancellationToken ct)
    {
        var o = ctx.Options;
        await Task.Delay(BenchContext.PastSnapshotInterval, ct).ConfigureAwait(false);
        var duration = TimeSpan.FromSeconds(o.IdleLookupSeconds);
        Ui.Info($"[{phase}] idle lookups: {o.IdleLookupRate}/s for {o.IdleLookupSeconds}s, whole profile then fields=computed,audiences");
        var whole = await LookupLoad.RunAsync(ctx.Reads, emails, o.IdleLookupRate, duration, ct).ConfigureAwait(false);
        var small = await LookupLoad.RunAsync(ctx.Reads, emails, o.IdleLookupRate, duration, ct, [ProfilePart.Computed, ProfilePart.Audiences]).ConfigureAwait(false);
        ctx.AddIdleLookups(phase, "whole profile", whole, target: null);
        ctx.AddIdleLookups(phase, "fields=computed,audiences", small, target: 0.5);
    }

    public static IngestStats Combine(IngestStats[] slices)
    {
        if (slices.Length == 1) return slices[0];
        var all = new IngestStats { Batch = slices[0].Batch, Seconds = slices.Sum(s => s.Seconds) };
        foreach (var s in slices)
        {
            all.Sent += s.Sent; all.Accepted += s.Accepted; all.Duplicate += s.Duplicate; all.Rejected += s.Rejected;
            all.FailedRequests += s.FailedRequests; all.Retries += s.Retries;
            all.Latency.Merge(s.Latency);
        }
        return all;
    }
}
