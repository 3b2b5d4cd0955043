using System.Diagnostics;
using Profiles.Contracts;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// Builds two profiles of N touchpoints each (distinct e-mails), then posts one touchpoint carrying both
/// e-mails and times that request: the merge. Repeated with fresh pairs; then checks that both e-mails
/// answer the survivor, that it counts 2N+1 touchpoints, and that its journey pages through 2N+1 items.
/// </summary>
public static class MergeScenario
{
    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        const string phase = "merge";
        var o = ctx.Options;
        var n = o.MergeSize;
        var merges = new LatencyRecorder();
        var latencies = new List<double>();
        for (var r = 0; r < o.MergeRepeats; r++)
        {
            var a = $"merge.a.{o.Seed}.{r}@bench-merge.example";
            var b = $"merge.b.{o.Seed}.{r}@bench-merge.example";
            var prefix = $"bench-{o.Seed}-merge{r}-";
            var rng = new Random(o.Seed * 1000 + r);
            var items = new TouchpointSpec[2 * n];
            for (var i = 0; i < 2 * n; i++)
                items[i] = new TouchpointSpec
                {
                    Id = i < n ? $"{prefix}0-{i}" : $"{prefix}1-{i - n}",
                    OccurredAt = ctx.Anchor - TimeSpan.FromSeconds(rng.NextDouble() * 90 * 86400),
                    Channel = "web", Type = i % 5 == 0 ? "add_to_cart" : "page_view",
                    Identifiers = [new IdentifierInput("email", i < n ? a : b)],
                };
            rng.Shuffle(items);
            var stats = await Ui.WithProgress($"{phase} #{r + 1}: two profiles of {n:N0}", 2 * n,
                p => Replayer.ReplayAsync(ctx.Writes, items, 0, items.Length, o.BatchSizes[0], o.Writers, p, ct)).ConfigureAwait(false);
            if (stats.Accepted + stats.Duplicate != 2 * n || stats.FailedRequests > 0)
                ctx.Report.Problem($"{phase} #{r + 1}: building the two profiles: {stats.Accepted} accepted, {stats.Duplicate} duplicate, {stats.Rejected} rejected, {stats.FailedRequests} failed requests; {string.Join("; ", stats.Errors.Take(3))}");

            var la = await ctx.Reads.Next().LookupAsync(new IdentifierInput("email", a), ct).ConfigureAwait(false);
            var lb = await ctx.Reads.Next().LookupAsync(new IdentifierInput("email", b), ct).ConfigureAwait(false);
            if (!la.Succeeded || !lb.Succeeded || la.Value.Touchpoints != n || lb.Value.Touchpoints != n || la.Value.ProfileId == lb.Value.ProfileId)
                ctx.Report.Problem($"{phase} #{r + 1}: before the merge: A {ProfileReport.Describe(la)}, B {ProfileReport.Describe(lb)} (expected two profiles of {n})");

            var merge = new TouchpointSpec
            {
                Id = $"{prefix}2-0", OccurredAt = ctx.Anchor - TimeSpan.FromMinutes(5),
                Channel = "web", Type = "login",
                Identifiers = [new IdentifierInput("email", " " + a.ToUpperInvariant()), new IdentifierInput("email", b)],
                Traits = [JsonField.Text("firstName", "Merge")],
            };
            var json = new TouchpointJson();
            var single = new IngestStats { Batch = 1 };
            var t0 = Stopwatch.GetTimestamp();
            var results = await Replayer.SendAsync(ctx.Writes, json.WriteBatch([merge], 0, 1), 1, single, ct).ConfigureAwait(false);
            var ms = (Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency;
            merges.RecordSince(t0);
            latencies.Add(ms);
            if (results is not [{ Status: TouchpointResult.Accepted }])
            {
                ctx.Report.Problem($"{phase} #{r + 1}: merge touchpoint not accepted: {results?.FirstOrDefault()?.Status ?? "request failed"} {string.Join("; ", single.Errors)}");
                ctx.Failed = true;
                continue;
            }

            // Right after the answer both e-mails must lead to one profile with everything.
            var l1 = await ctx.Reads.Next().LookupAsync(new IdentifierInput("email", a), ct).ConfigureAwait(false);
            var l2 = await ctx.Reads.Next().LookupAsync(new IdentifierInput("email", b), ct).ConfigureAwait(false);
            var expected = 2L * n + 1;
            if (!l1.Succeeded || !l2.Succeeded || l1.Value.ProfileId != l2.Value.ProfileId || l1.Value.Touchpoints != expected)
            {
                ctx.Report.Problem($"{phase} #{r + 1}: after the merge: A {ProfileReport.Describe(l1)}, B {ProfileReport.Describe(l2)} (expected one profile of {expected})");
                ctx.Failed = true;
                continue;
            }
            var survivor = l1.Value;
            if (r == 0)
            {
                var walk = await JourneyWalker.WalkAsync(ctx.Reads, survivor.ProfileId, 500, expected, null, ct).ConfigureAwait(false);
                ctx.Report.Add(phase, "survivor journey items", walk.Items, "", target: $"= {expected:N0}", met: walk.Items == expected && walk.DuplicateIds == 0,
                    note: $"{walk.Pages} pages of 500 in {walk.Seconds:0.##} s, duplicate ids {walk.DuplicateIds}");
                if (walk.Error is not null) ctx.Report.Problem($"{phase}: {walk.Error}");
                if (walk.Items != expected || walk.DuplicateIds > 0) ctx.Failed = true;
                // A merged-away id keeps answering with the survivor.
                if (la.Succeeded && lb.Succeeded)
                {
                    var loser = survivor.ProfileId == la.Value.ProfileId ? lb.Value : la.Value;
                    var old = await ctx.Reads.Next().GetProfileAsync(loser.ProfileId, ct).ConfigureAwait(false);
                    var survivorAnswers = old.Succeeded && old.Value.ProfileId == survivor.ProfileId;
                    ctx.Report.Add(phase, "merged-away id answers survivor", survivorAnswers ? 1 : 0, "", target: "1", met: survivorAnswers,
                        note: $"GET /v1/profiles/{{old}} answered {(int)old.Status}");
                }
            }
        }
        var m = merges.Summarise();
        for (var i = 0; i < latencies.Count; i++)
            ctx.Report.Add(phase, $"merge #{i + 1} of 2x{n:N0}", latencies[i], "ms", note: "one POST carrying both e-mails");
        ctx.Report.AddAtMost(phase, $"merge latency max of {latencies.Count} (2x{n:N0})", m.Max, "ms", 50, note: $"p50 {m.P50:0.##} ms");
    }
}
