namespace Profiles.Bench.Scenarios;

/// <summary>
/// The omnichannel population replayed in a seeded random order by C writers in batches of B, with open-loop
/// lookups during the ingest and after it, then a correctness check of sampled customers.
/// </summary>
public static class IngestScenario
{
    public static async Task<IngestStats[]> RunAsync(BenchContext ctx, string phase, int customers, bool lookups, int sample, string? ingestTarget, CancellationToken ct)
    {
        var o = ctx.Options;
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
        var paths = Enumerable.Range(0, Math.Min(8192, customers * 2))
            .Select(_ => pop.Customers[rng.Next(customers)])
            .Select(c => NodeClient.LookupPath(new IdentifierSpec("email", MessySpelling.Email(rng, c.Email))))
            .ToArray();

        var metricsBefore = (await NodeMetrics.MergesAsync(ctx.Reads, ct).ConfigureAwait(false)).Value;
        var meter = ctx.Meter();
        using var stopLookups = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var lookupTask = lookups && o.LookupRate > 0
            ? LookupLoad.RunAsync(ctx.Reads, paths, o.LookupRate, null, stopLookups.Token)
            : Task.FromResult(new LookupStats());

        var sizes = o.BatchSizes;
        var slices = new IngestStats[sizes.Count];
        try
        {
            await Ui.WithProgress($"{phase}: {total:N0} touchpoints", total, async progress =>
            {
                for (var i = 0; i < sizes.Count; i++)
                {
                    var from = (int)((long)total * i / sizes.Count);
                    var to = (int)((long)total * (i + 1) / sizes.Count);
                    slices[i] = await Replayer.ReplayAsync(ctx.Writes, order, from, to, sizes[i], o.Writers, progress, ct).ConfigureAwait(false);
                }
                return 0;
            }).ConfigureAwait(false);
        }
        finally
        {
            await stopLookups.CancelAsync().ConfigureAwait(false);
        }
        var during = await lookupTask.ConfigureAwait(false);
        var usage = meter.Stop();

        var all = Combine(slices);
        ctx.AddIngest(phase, "(all)", all, ingestTarget);
        if (slices.Length > 1)
            foreach (var s in slices) ctx.AddIngest(phase, $"(batch {s.Batch})", s);
        if (all.Accepted + all.Duplicate != total)
            ctx.Report.Problem($"{phase}: {all.Accepted + all.Duplicate:N0} touchpoints accepted or duplicate of {total:N0} sent");
        if (lookups && o.LookupRate > 0) ctx.AddLookups(phase, "during ingest", during, target: true);
        var metricsAfter = (await NodeMetrics.MergesAsync(ctx.Reads, ct).ConfigureAwait(false));
        ctx.Report.Add(phase, "merges", truth.ExpectedMerges, "",
            note: metricsAfter.Value is { } grown
                ? $"expected in replay order; node's {metricsAfter.Metric} grew by {grown - (metricsBefore ?? 0):N0}"
                : "expected in replay order; node count n/a (no merge series in /metrics)");
        await ctx.AddUsageAsync(phase, usage, total, ct).ConfigureAwait(false);

        if (lookups && o.LookupRate > 0 && o.LookupSeconds > 0)
        {
            Ui.Info($"[{phase}] lookups after ingest: {o.LookupRate}/s for {o.LookupSeconds}s");
            var after = await LookupLoad.RunAsync(ctx.Reads, paths, o.LookupRate, TimeSpan.FromSeconds(o.LookupSeconds), ct).ConfigureAwait(false);
            ctx.AddLookups(phase, "after ingest", after, target: false);
            if (after.NotFound + after.OtherStatus + after.Failed > 0)
                ctx.Report.Problem($"{phase}: after ingest, {after.NotFound} lookups of known e-mails answered 404, {after.OtherStatus} another status, {after.Failed} failed");
        }

        if (lookups && o.IdleLookupRate > 0 && o.IdleLookupSeconds > 0) await IdleLookupsAsync(ctx, phase, paths, ct).ConfigureAwait(false);

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

    /// <summary>The storefront's reads on a node that has finished ingesting (past the 5 s snapshot interval): the
    /// whole profile, then only its computed traits and audiences (contract section 7).</summary>
    private static async Task IdleLookupsAsync(BenchContext ctx, string phase, string[] paths, CancellationToken ct)
    {
        var o = ctx.Options;
        await Task.Delay(TimeSpan.FromSeconds(6), ct).ConfigureAwait(false);
        var duration = TimeSpan.FromSeconds(o.IdleLookupSeconds);
        Ui.Info($"[{phase}] idle lookups: {o.IdleLookupRate}/s for {o.IdleLookupSeconds}s, whole profile then fields=computed,audiences");
        var whole = await LookupLoad.RunAsync(ctx.Reads, paths, o.IdleLookupRate, duration, ct).ConfigureAwait(false);
        string[] personalised = [.. paths.Select(p => p + "&fields=computed,audiences")];
        var small = await LookupLoad.RunAsync(ctx.Reads, personalised, o.IdleLookupRate, duration, ct).ConfigureAwait(false);
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
