using System.Diagnostics;
using Profiles.Contracts;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// One customer receives N touchpoints carrying one e-mail (in varied spellings), sent by C writers in
/// batches of B: the rate into one profile. Then its journey is read page by page (limit 50) following
/// nextCursor, and random deep pages are read again from their cursors: journey page p50/p99.
/// </summary>
public static class HotScenario
{
    private static readonly string[] Types = ["page_view", "add_to_cart", "email_open", "app_open"];
    private static readonly string[] Channels = ["web", "web", "email", "app"];

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        const string phase = "hot";
        var o = ctx.Options;
        var n = o.HotTouchpoints;
        var email = $"hot.{o.Seed}@bench-hot.example";
        var rng = new Random(o.Seed + 101);
        var prefix = $"bench-{o.Seed}-hot-";
        var items = new TouchpointSpec[n];
        for (var i = 0; i < n; i++)
        {
            var k = rng.Next(Types.Length);
            items[i] = new TouchpointSpec
            {
                Id = $"{prefix}0-{i}",
                OccurredAt = ctx.Anchor - TimeSpan.FromSeconds(rng.NextDouble() * 90 * 86400),
                Channel = Channels[k], Type = Types[k],
                Identifiers = [new IdentifierInput("email", i % 3 == 0 ? MessySpelling.Email(rng, email) : email)],
            };
        }
        var batch = o.BatchSizes[0];
        var meter = ctx.Meter();
        var stats = await Ui.WithProgress($"{phase}: {n:N0} touchpoints into one profile", n,
            p => Replayer.ReplayAsync(ctx.Writes, items, 0, n, batch, o.Writers, p, ct)).ConfigureAwait(false);
        var usage = meter.Stop();
        ctx.AddIngest(phase, "into one profile", stats, "hot");
        await ctx.AddUsageAsync(phase, usage, n, ct).ConfigureAwait(false);

        var lookup = await ctx.Reads.Next().LookupAsync(new IdentifierInput("email", email), ct).ConfigureAwait(false);
        if (!lookup.Succeeded)
        {
            ctx.Report.Problem($"{phase}: lookup of the hot e-mail answered {ProfileReport.Refusal(lookup)}");
            ctx.Failed = true;
            return;
        }
        var profile = lookup.Value;
        ctx.Report.Add(phase, "profile touchpoints", profile.Touchpoints, "", target: $"= {n:N0}", met: profile.Touchpoints == n);
        if (profile.Touchpoints != n) ctx.Failed = true;

        var limit = o.HotJourneyLimit;
        var walk = await Ui.WithProgress($"{phase}: journey of {profile.Touchpoints:N0} by pages of {limit}", profile.Touchpoints,
            p => JourneyWalker.WalkAsync(ctx.Reads, profile.ProfileId, limit, profile.Touchpoints, p, ct)).ConfigureAwait(false);
        var lat = walk.Latency.Summarise();
        ctx.Report.Add(phase, $"journey page p50 (limit {limit}, sequential)", lat.P50, "ms", note: $"{walk.Pages:N0} pages in {walk.Seconds:0.#} s");
        ctx.Report.AddAtMost(phase, $"journey page p99 (limit {limit}, sequential)", lat.P99, "ms", 10, note: $"profile of {profile.Touchpoints:N0} touchpoints; max {lat.Max:0.##} ms");
        ctx.Report.Add(phase, "journey items read", walk.Items, "", target: $"= {n:N0}", met: walk.Items == n && walk.DuplicateIds == 0,
            note: $"duplicate ids {walk.DuplicateIds}");
        if (walk.Error is not null) ctx.Report.Problem($"{phase}: {walk.Error}");
        if (walk.Items != n || walk.DuplicateIds != 0 || walk.Error is not null) ctx.Failed = true;

        if (walk.Cursors.Count > 0 && o.DeepPages > 0)
        {
            var deep = new LatencyRecorder();
            var deepRng = new Random(o.Seed + 202);
            for (var i = 0; i < o.DeepPages; i++)
            {
                var cursor = walk.Cursors[deepRng.Next(walk.Cursors.Count)];
                var t0 = Stopwatch.GetTimestamp();
                var page = await ctx.Reads.Next().GetJourneyAsync(profile.ProfileId, limit, cursor, ct).ConfigureAwait(false);
                deep.RecordSince(t0);
                if (!page.Succeeded)
                {
                    ctx.Report.Problem($"{phase}: deep journey page answered {ProfileReport.Refusal(page)}");
                    break;
                }
            }
            var d = deep.Summarise();
            ctx.Report.Add(phase, $"journey deep page p50 (random cursor)", d.P50, "ms", note: $"{d.Count} pages");
            ctx.Report.AddAtMost(phase, $"journey deep page p99 (random cursor)", d.P99, "ms", 10, note: $"max {d.Max:0.##} ms");
        }
        var rss = meter.Stop();
        ctx.Report.Add(phase, "node RSS after journey reads", rss.NodeRssKiB / 1024.0, "MiB");
    }
}
