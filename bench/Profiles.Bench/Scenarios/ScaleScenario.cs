namespace Profiles.Bench.Scenarios;

/// <summary>Ingests fresh populations of 1x, 2x and 4x --customers and reports the cost per touchpoint:
/// elapsed x cores / touchpoints (the machine's whole capacity), and the node's own CPU per touchpoint.</summary>
public static class ScaleScenario
{
    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        var cores = Environment.ProcessorCount;
        var costs = new List<(int Factor, double Cost)>();
        foreach (var factor in new[] { 1, 2, 4 })
        {
            var phase = $"scale {factor}x";
            var customers = o.Customers * factor;
            var slices = await IngestScenario.RunAsync(ctx, phase, customers, lookups: false, sample: Math.Min(o.Sample, 100), ingestTarget: null, ct).ConfigureAwait(false);
            var all = IngestScenario.Combine(slices);
            var cost = all.Seconds * cores / Math.Max(all.Sent, 1) * 1e6;
            costs.Add((factor, cost));
            ctx.Report.Add(phase, "cost per touchpoint (elapsed x cores)", cost, "µs",
                note: $"{all.Seconds / Math.Max(all.Sent, 1) * 1000:0.###} s per 1000 touchpoints, {all.Sent:N0} touchpoints in {all.Seconds:0.##} s on {cores} cores");
        }
        if (costs.Count == 3)
        {
            var ratio = costs[2].Cost / costs[0].Cost;
            ctx.Report.AddAtMost("scale", "cost per touchpoint 4x / 1x", ratio, "x", 1.25,
                note: "flat means ~1: " + string.Join(", ", costs.Select(c => $"{c.Factor}x {c.Cost:0.#} µs")));
        }
    }
}
