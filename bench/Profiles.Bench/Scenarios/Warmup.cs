using Profiles.Contracts;

namespace Profiles.Bench.Scenarios;

/// <summary>Sends a separate population (customers from index 9,000,000 on, never shared with measured
/// phases) before anything is measured, so that JIT and connection set-up stay out of the figures.</summary>
public static class Warmup
{
    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        if (o.Warmup <= 0) return;
        var customers = Math.Max(1, o.Warmup / 14);
        var pop = RetailPopulation.Generate(o.Seed, 9_000_000, customers, ctx.Anchor);
        var order = pop.Touchpoints.ToArray();
        new Random(o.Seed).Shuffle(order);
        var stats = await Ui.WithProgress($"warm-up: {order.Length:N0} touchpoints", order.Length,
            p => Replayer.ReplayAsync(ctx.Writes, order, 0, order.Length, o.BatchSizes[0], o.Writers, p, ct)).ConfigureAwait(false);
        var emails = pop.Customers.Select(c => new IdentifierInput("email", c.Email)).ToArray();
        await LookupLoad.RunAsync(ctx.Reads, emails, Math.Max(100, o.LookupRate), TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        ctx.Report.Add("start", "warm-up (not measured)", stats.PerSecond, "touchpoints/s",
            note: $"{order.Length:N0} touchpoints of {customers} separate customers; {stats.Accepted:N0} accepted");
        foreach (var e in stats.Errors) ctx.Report.Problem($"warm-up: {e}");
    }
}
