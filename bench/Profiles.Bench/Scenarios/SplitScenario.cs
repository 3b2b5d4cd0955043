using System.Diagnostics;
using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// The cost of a split (an operator's unlink): one profile of N touchpoints on which two customers' e-mails meet (one touchpoint
/// carries both, the others one or the other), then <c>POST /v1/profiles/{id}/unlink</c> of the two e-mails is timed,
/// and <c>/relink</c> after it, for <c>--split-repeats</c> cycles on the same profile. Each answer is checked: after
/// the unlink, two profiles whose touchpoints add up to N, each e-mail on its own, each journey paging through exactly
/// its own touchpoints (operator entries are in the journeys but count in no figure); after the relink, one profile of
/// N again. With <c>--redis-port</c>, Redis's <c>INFO commandstats</c> before and after gives the commands each cost.
/// </summary>
public static class SplitScenario
{
    private const string Phase = "split";

    /// <summary>Past the profile's snapshot interval, so writes a split leaves for later are counted too.</summary>
    private static readonly TimeSpan Settle = BenchContext.PastSnapshotInterval;

    private sealed record Timed(double Ms, ApiResult<Profile[]> Answer, RedisCommandStats? AtAnswer, RedisCommandStats? Settled, double SettledSeconds);

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        var n = o.SplitSize;
        var a = $"split.a.{o.Seed}@bench-split.example";
        var b = $"split.b.{o.Seed}@bench-split.example";
        var prefix = $"bench-{o.Seed}-split-";
        var rng = new Random(o.Seed * 1000 + 18);
        var items = new TouchpointSpec[n];
        var onlyA = new HashSet<string>(StringComparer.Ordinal);
        var onlyB = new HashSet<string>(StringComparer.Ordinal);
        var shared = $"{prefix}0";
        for (var i = 0; i < n; i++)
        {
            var id = $"{prefix}{i}";
            if (i > 0) (i % 2 == 1 ? onlyA : onlyB).Add(id);
            items[i] = new TouchpointSpec
            {
                Id = id,
                OccurredAt = ctx.Anchor - TimeSpan.FromSeconds(rng.NextDouble() * 90 * 86400),
                Channel = "web",
                Type = i == 0 ? "login" : i % 5 == 0 ? "add_to_cart" : "page_view",
                Identifiers = i == 0 ? [new IdentifierInput("email", a), new IdentifierInput("email", b)]
                    : [new IdentifierInput("email", i % 2 == 1 ? a : b)],
            };
        }
        rng.Shuffle(items);
        var stats = await Ui.WithProgress($"{Phase}: one profile of {n:N0} touchpoints, two e-mails", n,
            p => Replayer.ReplayAsync(ctx.Writes, items, 0, items.Length, o.BatchSizes[0], o.Writers, p, ct)).ConfigureAwait(false);
        ctx.Report.Add(Phase, "building the profile (not timed as the split)", stats.PerSecond, "touchpoints/s",
            note: $"{n:N0} touchpoints: {onlyA.Count:N0} with e-mail A, {onlyB.Count:N0} with e-mail B, 1 with both; {o.Writers} writers, batch {stats.Batch}");
        if (stats.Accepted + stats.Duplicate != n || stats.FailedRequests > 0 || stats.Rejected > 0)
        {
            ctx.Report.Problem($"{Phase}: building the profile: {stats.Accepted} accepted, {stats.Duplicate} duplicate, {stats.Rejected} rejected, {stats.FailedRequests} failed requests; {string.Join("; ", stats.Errors.Take(3))}");
            ctx.Failed = true;
            return;
        }

        var (emailA, emailB) = (new IdentifierInput("email", a), new IdentifierInput("email", b));
        var joinedA = await ctx.Reads.Next().LookupAsync(emailA, ct).ConfigureAwait(false);
        var joinedB = await ctx.Reads.Next().LookupAsync(emailB, ct).ConfigureAwait(false);
        if (!joinedA.Succeeded || !joinedB.Succeeded || joinedA.Value.ProfileId != joinedB.Value.ProfileId || joinedA.Value.Touchpoints != n
            || joinedA.Value.IdentifiersOf("email") != 2)
        {
            ctx.Report.Problem($"{Phase}: before the split, A {ProfileReport.Describe(joinedA)}, B {ProfileReport.Describe(joinedB)} (expected one profile of {n} touchpoints holding both e-mails)");
            ctx.Failed = true;
            return;
        }

        // Redis's background (cluster membership, statistics samples) over a quiet window, to read the figures against.
        double? backgroundPerSecond = null;
        if (o.RedisPort is not null)
        {
            Ui.Info($"[{Phase}] letting the build's snapshots settle, then {Settle.TotalSeconds:0} s of Redis background");
            await Task.Delay(Settle, ct).ConfigureAwait(false);
            var q0 = await RedisCommandStats.ReadAsync(o.RedisPort, ct).ConfigureAwait(false);
            var tq = Stopwatch.GetTimestamp();
            await Task.Delay(Settle, ct).ConfigureAwait(false);
            var q1 = await RedisCommandStats.ReadAsync(o.RedisPort, ct).ConfigureAwait(false);
            if (q0 is not null && q1 is not null)
            {
                var quiet = q1.Minus(q0);
                backgroundPerSecond = quiet.Calls / Clock.Seconds(tq);
                ctx.Report.Add(Phase, "Redis background, idle node", backgroundPerSecond, "commands/s",
                    note: $"{quiet.Calls:N0} commands in {Clock.Seconds(tq):0.#} s with nothing sent: {quiet.Describe(3)}");
            }
            else
            {
                ctx.Report.Problem($"{Phase}: redis-cli -p {o.RedisPort} INFO commandstats gave nothing: no Redis figures");
            }
        }
        else
        {
            ctx.Report.Add(Phase, "Redis commands", null, "", note: "n/a: no --redis-port (bash bench/run.sh --redis passes it)");
        }

        var splits = new List<double>();
        var relinks = new List<double>();
        var problems = 0;
        void Fail(string text)
        {
            problems++;
            ctx.Report.Problem($"{Phase}: {text}");
            ctx.Failed = true;
        }

        var profileId = joinedA.Value.ProfileId;
        for (var r = 0; r < o.SplitRepeats; r++)
        {
            var cycle = $"#{r + 1}";
            Ui.Info($"[{Phase}] {cycle}: unlink of the two e-mails on {profileId}");
            var split = await TimedAsync(ctx, node => node.UnlinkAsync(profileId, emailA, emailB, ct), ct).ConfigureAwait(false);
            splits.Add(split.Ms);
            ctx.Report.Add(Phase, $"split {cycle} of 1x{n:N0} (POST unlink)", split.Ms, "ms", note: Outcome(split.Answer));
            AddRedis(ctx, $"split {cycle}", split, backgroundPerSecond);
            if (!split.Answer.Succeeded || split.Answer.Value is not [var partA, var partB] || partA.Touchpoints + partB.Touchpoints != n || partA.ProfileId == partB.ProfileId)
            {
                Fail($"unlink {cycle} {Outcome(split.Answer)} (expected 200 with two profiles whose touchpoints add up to {n})");
                break;
            }

            var afterA = await ctx.Reads.Next().LookupAsync(emailA, ct).ConfigureAwait(false);
            var afterB = await ctx.Reads.Next().LookupAsync(emailB, ct).ConfigureAwait(false);
            if (!afterA.Succeeded || !afterB.Succeeded || afterA.Value.ProfileId == afterB.Value.ProfileId
                || afterA.Value.Touchpoints + afterB.Value.Touchpoints != n
                || afterA.Value.IdentifiersOf("email") != 1 || afterB.Value.IdentifiersOf("email") != 1
                || !new[] { partA.ProfileId, partB.ProfileId }.Order(StringComparer.Ordinal)
                    .SequenceEqual(new[] { afterA.Value.ProfileId, afterB.Value.ProfileId }.Order(StringComparer.Ordinal)))
            {
                Fail($"after unlink {cycle}: A {ProfileReport.Describe(afterA)}, B {ProfileReport.Describe(afterB)}; the answer named {ProfileReport.Describe(partA)}, {ProfileReport.Describe(partB)} (expected two profiles of one e-mail each, adding up to {n})");
                break;
            }
            var (pa, pb) = (afterA.Value, afterB.Value);
            // Journeys: each side pages through exactly its own touchpoints; the touchpoint with both e-mails is on one side;
            // the operator entries (r + 1 unlinks, r relinks) are in the journeys and in no figure.
            var walkA = await JourneyWalker.WalkAsync(ctx.Reads, pa.ProfileId, 500, pa.Touchpoints + 2 * r + 1, null, ct, keepIds: true).ConfigureAwait(false);
            var walkB = await JourneyWalker.WalkAsync(ctx.Reads, pb.ProfileId, 500, pb.Touchpoints + 2 * r + 1, null, ct, keepIds: true).ConfigureAwait(false);
            var journeyProblem = CheckSplitJourneys(walkA, walkB, pa, pb, prefix, onlyA, onlyB, shared, operatorEntries: 2 * r + 1);
            ctx.Report.Add(Phase, $"split {cycle}: journeys page through the right items", journeyProblem is null ? 1 : 0, "", target: "1", met: journeyProblem is null,
                note: $"A: {pa.Touchpoints:N0} touchpoints, {walkA.Items:N0} items in {walkA.Pages} pages; B: {pb.Touchpoints:N0} touchpoints, {walkB.Items:N0} items in {walkB.Pages} pages; "
                      + $"touchpoint with both e-mails on {(walkA.Ids.Contains(shared) ? "A" : "B")}'s side; operator entries {2 * r + 1}");
            if (journeyProblem is not null)
            {
                Fail($"after unlink {cycle}: {journeyProblem}");
                break;
            }
            if (r == 0)
            {
                // The id the profile had keeps answering, with the part holding its strongest identifier.
                var old = await ctx.Reads.Next().GetProfileAsync(profileId, ct).ConfigureAwait(false);
                var ok = old.Succeeded && (old.Value.ProfileId == pa.ProfileId || old.Value.ProfileId == pb.ProfileId);
                ctx.Report.Add(Phase, "id before the split answers a part", ok ? 1 : 0, "", target: "1", met: ok,
                    note: $"GET /v1/profiles/{{old}} answered {(int)old.Status}{(!old.Succeeded ? "" : old.Value.ProfileId == profileId ? ", the same id" : ", a new id")}");
                if (!ok) Fail($"GET /v1/profiles/{profileId} after the split {ProfileReport.Describe(old)}");
            }

            Ui.Info($"[{Phase}] {cycle}: relink");
            var relink = await TimedAsync(ctx, node => node.RelinkAsync(pa.ProfileId, emailA, emailB, ct), ct).ConfigureAwait(false);
            relinks.Add(relink.Ms);
            ctx.Report.Add(Phase, $"relink {cycle} (POST relink)", relink.Ms, "ms", note: Outcome(relink.Answer));
            AddRedis(ctx, $"relink {cycle}", relink, backgroundPerSecond);
            var relinkedA = await ctx.Reads.Next().LookupAsync(emailA, ct).ConfigureAwait(false);
            var relinkedB = await ctx.Reads.Next().LookupAsync(emailB, ct).ConfigureAwait(false);
            if (!relink.Answer.Succeeded || relink.Answer.Value is not [var whole] || whole.Touchpoints != n || !relinkedA.Succeeded || !relinkedB.Succeeded
                || relinkedA.Value.ProfileId != relinkedB.Value.ProfileId || relinkedA.Value.ProfileId != whole.ProfileId || relinkedA.Value.IdentifiersOf("email") != 2)
            {
                Fail($"relink {cycle} {Outcome(relink.Answer)}; A {ProfileReport.Describe(relinkedA)}, B {ProfileReport.Describe(relinkedB)} (expected one profile of {n} holding both e-mails)");
                break;
            }
            var walk = await JourneyWalker.WalkAsync(ctx.Reads, whole.ProfileId, 500, n + 2 * r + 2, null, ct, keepIds: true).ConfigureAwait(false);
            var touchpoints = walk.Ids.Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
            var operators = walk.Ids.Count(id => !id.StartsWith(prefix, StringComparison.Ordinal));
            if (walk.Error is not null || walk.DuplicateIds > 0 || touchpoints.Count != n || walk.Items != n + operators || operators != 2 * r + 2)
            {
                Fail($"after relink {cycle}: journey of {walk.Items} items ({touchpoints.Count} touchpoints, {operators} operator entries, {walk.DuplicateIds} duplicates; expected {n} and {2 * r + 2}) {walk.Error}");
                break;
            }
            profileId = whole.ProfileId;
        }

        if (splits.Count > 0)
            ctx.Report.Add(Phase, $"split of 1x{n:N0}: first / max of {splits.Count}", splits[0], "ms",
                note: $"max {splits.Max():0.#} ms, min {splits.Min():0.#} ms; relink first {relinks.FirstOrDefault():0.#} ms, max {(relinks.Count > 0 ? relinks.Max() : 0):0.#} ms; no target set: the figure is measured, not held to one");
        ctx.Report.Add(Phase, "split checks failed", problems, "", target: "0", met: problems == 0,
            note: "answer, lookups of both e-mails, both journeys item by item, the old id; one profile again after each relink");
    }

    /// <summary>Null when each journey holds exactly its side's touchpoints (the one with both e-mails on exactly one
    /// side), the operator entries add up, no item comes twice and each side's figure counts its touchpoints.</summary>
    private static string? CheckSplitJourneys(JourneyWalk walkA, JourneyWalk walkB, Profile pa, Profile pb, string prefix,
        HashSet<string> onlyA, HashSet<string> onlyB, string shared, int operatorEntries)
    {
        if (walkA.Error is not null || walkB.Error is not null) return $"journey walk: {walkA.Error ?? walkB.Error}";
        if (walkA.DuplicateIds + walkB.DuplicateIds > 0) return $"{walkA.DuplicateIds + walkB.DuplicateIds} items came twice in a journey";
        var tpA = walkA.Ids.Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var tpB = walkB.Ids.Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var ops = walkA.Ids.Count + walkB.Ids.Count - tpA.Count - tpB.Count;
        if (tpA.Contains(shared) == tpB.Contains(shared)) return $"the touchpoint with both e-mails is in {(tpA.Contains(shared) ? "both" : "neither")} journey(s)";
        tpA.Remove(shared);
        tpB.Remove(shared);
        if (!tpA.SetEquals(onlyA)) return $"A's journey holds {tpA.Count} of A's touchpoints ({tpA.Except(onlyA).Count()} not A's; expected {onlyA.Count})";
        if (!tpB.SetEquals(onlyB)) return $"B's journey holds {tpB.Count} of B's touchpoints ({tpB.Except(onlyB).Count()} not B's; expected {onlyB.Count})";
        var countA = onlyA.Count + (walkA.Ids.Contains(shared) ? 1 : 0);
        var countB = onlyB.Count + (walkB.Ids.Contains(shared) ? 1 : 0);
        if (pa.Touchpoints != countA || pb.Touchpoints != countB) return $"figures {pa.Touchpoints} and {pb.Touchpoints} touchpoints, journeys {countA} and {countB}";
        if (ops != operatorEntries) return $"{ops} operator entries in the journeys, expected {operatorEntries}";
        return null;
    }

    /// <summary>An unlink or a relink, timed, with the Redis commands it cost until its answer and once settled.</summary>
    private static async Task<Timed> TimedAsync(BenchContext ctx, Func<ProfilesHttpClient, Task<ApiResult<Profile[]>>> correction, CancellationToken ct)
    {
        var port = ctx.Options.RedisPort;
        var before = await RedisCommandStats.ReadAsync(port, ct).ConfigureAwait(false);
        var t0 = Stopwatch.GetTimestamp();
        var answer = await correction(ctx.Writes.Next()).ConfigureAwait(false);
        var ms = (Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency;
        var atAnswer = await RedisCommandStats.ReadAsync(port, ct).ConfigureAwait(false);
        if (before is null || atAnswer is null) return new Timed(ms, answer, null, null, 0);
        await Task.Delay(Settle, ct).ConfigureAwait(false);
        var settled = await RedisCommandStats.ReadAsync(port, ct).ConfigureAwait(false);
        return new Timed(ms, answer, atAnswer.Minus(before), settled?.Minus(before), Clock.Seconds(t0));
    }

    /// <summary>An unlink's or a relink's answer for a report line: the profiles' touchpoints, or the refusal.</summary>
    private static string Outcome(ApiResult<Profile[]> answer) => answer.Succeeded
        ? $"200 with {answer.Value.Length} profile(s) of {string.Join(" + ", answer.Value.Select(p => p.Touchpoints.ToString("N0")))} touchpoints"
        : $"answered {ProfileReport.Refusal(answer)}";

    private static void AddRedis(BenchContext ctx, string label, Timed t, double? backgroundPerSecond)
    {
        if (t.AtAnswer is not { } atAnswer) return;
        var later = t.Settled is { } s ? s.Calls - atAnswer.Calls : (long?)null;
        var background = backgroundPerSecond is { } bps ? bps * t.SettledSeconds : (double?)null;
        ctx.Report.Add(Phase, $"Redis commands, {label}", atAnswer.Calls, "",
            note: $"until the answer: {atAnswer.Describe()}"
                  + (later is { } l ? $"; {l:N0} more in the next {t.SettledSeconds - t.Ms / 1000:0.#} s ({t.Settled!.Minus(atAnswer).Describe(3)})" : "")
                  + (background is { } bg ? $"; the idle background is about {bg:0} in that whole time" : ""));
    }
}
